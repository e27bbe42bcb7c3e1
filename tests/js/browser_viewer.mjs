// The map viewer in real headless Chromium (Debian's chromium, driven by playwright-core), against a running
// `catchment serve` of the London sample.
//   node browser_viewer.mjs URL OUTDIR viewer   page loads without console errors; networks and practices
//                                               render; clicking a real practice shows its real network;
//                                               gaps at a chosen distance; screenshots in OUTDIR
//   node browser_viewer.mjs URL OUTDIR plan     the Plan button: a new plan's style and tiles are shown
//                                               (exit 77, skipped, while POST /plans answers 404)
// Prints the time from navigation to the map's first idle event (also in OUTDIR/time-to-idle-MODE.txt). Exit 0 pass, 1 fail, 77 skipped.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [base, outDir, mode = 'viewer'] = process.argv.slice(2);
if (!base || !outDir || !['viewer', 'plan'].includes(mode)) {
  console.error('usage: node browser_viewer.mjs URL OUTDIR viewer|plan');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const failures = [];
function check(condition, what) {
  console.log(`${condition ? 'ok  ' : 'FAIL'} ${what}`);
  if (!condition) failures.push(what);
}

async function getJson(target, options) {
  const response = await fetch(base + target, options);
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** The practice farthest from its nearest neighbour, so that a click on it cannot hit another one. */
function isolatedPractice(features) {
  const points = features.filter((f) => f.geometry && f.properties.network_id);
  const metres = (a, b) => {
    const [x1, y1] = a.geometry.coordinates;
    const [x2, y2] = b.geometry.coordinates;
    const dx = (x2 - x1) * 111320 * Math.cos((y1 * Math.PI) / 180);
    return Math.hypot(dx, (y2 - y1) * 110540);
  };
  let best = null;
  let bestDistance = -1;
  for (const p of points) {
    let nearest = Infinity;
    for (const q of points) if (q !== p) nearest = Math.min(nearest, metres(p, q));
    if (nearest > bestDistance) {
      bestDistance = nearest;
      best = p;
    }
  }
  return best;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const consoleErrors = [];
const expected404s = [];
page.on('console', (message) => {
  if (message.type() !== 'error') return;
  const where = message.location()?.url ?? '';
  // The viewer asks GET /plans/default and handles a 404 (the plans API is being built); Chromium logs
  // every 404 response as a console error, so exactly that one is expected while the API is missing.
  if (/Failed to load resource.*404/.test(message.text()) && new URL(where, base).pathname === '/plans/default') {
    expected404s.push(where);
    return;
  }
  consoleErrors.push(`${message.text()} ${where}`);
});
page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));

const waitForIdle = () => page.evaluate(() => new Promise((resolve) => {
  const map = window.catchment.map;
  if (map.loaded() && !map.isMoving() && map.areTilesLoaded()) resolve();
  else map.once('idle', () => resolve());
}));

let exitCode = 0;
try {
  await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.catchment?.firstIdleMs !== null && window.catchment?.firstIdleMs !== undefined, null, { timeout: 90000 });
  const idleMs = await page.evaluate(() => window.catchment.firstIdleMs);
  console.log(`time from navigation to the map's first idle: ${Math.round(idleMs)} ms`);
  writeFileSync(path.join(outDir, `time-to-idle-${mode}.txt`), `${Math.round(idleMs)}\n`);
  const title = await page.title();
  check(title.includes('catchment'), `GET / in a browser is the viewer (title "${title}")`);

  if (mode === 'viewer') {
    const rendered = await page.evaluate(() => {
      const map = window.catchment.map;
      const count = (layer) => map.queryRenderedFeatures({ layers: [layer] }).length;
      return { networks: count('networks-fill'), practices: count('practices-circle'), borders: count('network-borders-line') };
    });
    check(rendered.networks > 0, `queryRenderedFeatures finds network features (${rendered.networks})`);
    check(rendered.practices > 0, `queryRenderedFeatures finds practice features (${rendered.practices})`);
    check(rendered.borders > 0, `network borders are drawn (${rendered.borders})`);
    const report = await page.locator('#report').innerText();
    check(/Networks\s+\d+/.test(report) && /In band/.test(report), 'the side panel shows the quality report');
    await page.screenshot({ path: path.join(outDir, 'viewer.png') });

    // A real practice, as the API serves it, and its network.
    const practices = await getJson('/collections/practices/items?limit=10000');
    const practice = isolatedPractice(practices.body.features);
    const code = practice.properties.practice_code;
    const served = await getJson(`/collections/practices/items/${encodeURIComponent(code)}`);
    const { network_id: networkId, network_name: networkName } = served.body.properties;
    console.log(`clicking practice ${code} (${served.body.properties.practice_name}), network ${networkId} ${networkName}`);
    const [lon, lat] = practice.geometry.coordinates;
    await page.evaluate(([x, y]) => window.catchment.map.jumpTo({ center: [x, y], zoom: 12.5 }), [lon, lat]);
    await waitForIdle();
    const point = await page.evaluate(([x, y]) => window.catchment.map.project([x, y]), [lon, lat]);
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + point.x, box.y + point.y);
    const popup = page.locator('.maplibregl-popup-content');
    await popup.waitFor({ timeout: 10000 });
    const text = await popup.innerText();
    check(text.includes(code), `the popup names the practice ${code}`);
    check(text.includes(networkId), `the popup shows its network id ${networkId}`);
    check(text.includes(networkName), `the popup shows its network name ${networkName}`);
    check(/Band status/.test(text) && /Population/.test(text) && /member practices/.test(text), 'the popup shows band status, population and members');
    const catchment = await page.waitForFunction(() => {
      const map = window.catchment.map;
      const features = map.querySourceFeatures('selection');
      return features.length > 0 ? features.map((f) => f.properties.practice_code) : null;
    }, null, { timeout: 10000 }).then((handle) => handle.jsonValue()).catch(() => []);
    check(catchment.length > 0 && catchment.every((c) => c === code), `the practice's catchment is highlighted (${catchment.length} features)`);
    const highlighted = await page.evaluate(() => window.catchment.map.getFilter('network-highlight-line'));
    check(JSON.stringify(highlighted).includes(networkId), 'its network is outlined');
    await waitForIdle();
    await page.screenshot({ path: path.join(outDir, 'practice.png') });

    // Gaps at a chosen distance: the map shows exactly what GET /gaps answers.
    await page.evaluate(() => window.catchment.popup?.remove());
    const distance = 1000;
    const gaps = await getJson(`/gaps?max_distance_m=${distance}`);
    await page.fill('#gap-distance', String(distance));
    await page.click('#gap-form button');
    await page.waitForFunction(() => document.getElementById('gap-status').textContent.length > 0, null, { timeout: 10000 });
    const status = await page.locator('#gap-status').innerText();
    check(status.includes(new Intl.NumberFormat('en-GB').format(gaps.body.summary.people)), `the gap summary shows GET /gaps's ${gaps.body.summary.people} people`);
    const shown = await page.evaluate(() => window.catchment.map.getSource('gap-query').serialize().data.features.length);
    check(shown === gaps.body.features.length, `the map holds the ${gaps.body.features.length} gap areas GET /gaps answers (${shown})`);
  } else {
    const probe = await getJson('/plans');
    if (probe.status === 404) {
      console.log('SKIPPED: GET /plans answers 404 (the plans API is not on this server yet); the Plan button test is enabled once it is.');
      exitCode = 77;
    } else {
      await page.fill('#plan-min', '25000');
      await page.fill('#plan-max', '45000');
      await page.click('#plan-button');
      await page.waitForFunction(() => /Showing plan|refused|failed|404/.test(document.getElementById('plan-status').textContent), null, { timeout: 300000 });
      const status = await page.locator('#plan-status').innerText();
      check(status.startsWith('Showing plan'), `the Plan button made a plan (${status})`);
      const planId = await page.evaluate(() => window.catchment.planId);
      check(new URL(page.url()).searchParams.get('plan') === planId, 'the plan id is kept in the URL');
      const sourceUrl = await page.evaluate(() => window.catchment.map.getStyle().sources.catchment.url);
      check(sourceUrl.includes(`/plans/${planId}/`), `the map reads the new plan's tiles (${sourceUrl})`);
      await page.waitForFunction(() => window.catchment.map.queryRenderedFeatures({ layers: ['networks-fill'] }).length > 0, null, { timeout: 60000 });
      await waitForIdle();
      const plan = await getJson(`/plans/${planId}`);
      const report = await page.locator('#report').innerText();
      check(report.includes(String(plan.body.report.summary.plan.networks)), 'the panel shows the new plan\'s report');
      await page.screenshot({ path: path.join(outDir, 'plan.png') });
    }
  }
  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
  if (expected404s.length) console.log(`(the viewer's GET /plans/default answered 404, as expected without the plans API)`);
} catch (error) {
  failures.push(String(error.stack ?? error));
  console.log(`FAIL ${error.stack ?? error}`);
  await page.screenshot({ path: path.join(outDir, `${mode}-failure.png`) }).catch(() => {});
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
process.exit(exitCode);
