// What the browser tests share: their checks (printed, failures kept), headless Debian Chromium, and the end.
import { chromium } from 'playwright-core';

export const failures = [];

/** Prints `ok` or `FAIL` and the check; a failure is kept for finish(). */
export function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures.push(what);
}

/** Debian's chromium, headless, drawing WebGL in software (SwiftShader). */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
}

/** Exits 1 when a check failed, else 0. */
export function finish() {
  if (failures.length) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  process.exit(0);
}
