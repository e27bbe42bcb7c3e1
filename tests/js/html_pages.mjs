// The OGC API - Features HTML pages against a running `catchment serve` of the London sample:
//   node html_pages.mjs URL OUTDIR
// - each page (landing, conformance, collections, a collection, its queryables, a page of items, one item)
//   is HTML for ?f=html and for a browser's Accept header, and passes the Nu Html Checker (vnu-jar from npm,
//   run on Debian's Java) with no error;
// - in headless Chromium each page loads with no console error, the items page's figures match the JSON's
//   numberMatched, its table lists the same features, its next link pages on, and its map draws them;
// - the item page's map draws the feature and its table shows its properties.
// Exit 0 pass, 1 fail.
import { check, failures, finish, launchChromium } from './harness.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node html_pages.mjs URL OUTDIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const json = async (target) => (await fetch(base + target, { headers: { Accept: 'application/json' } })).json();
const allPractices = await json('/collections/practices/items?limit=20');
const firstCode = allPractices.features[0].id;
const pages = {
  landing: '/?f=html',
  conformance: '/conformance?f=html',
  collections: '/collections?f=html',
  collection: '/collections/networks?f=html',
  queryables: '/collections/practices/queryables?f=html',
  items: '/collections/practices/items?f=html&limit=20',
  item: `/collections/practices/items/${encodeURIComponent(firstCode)}?f=html`,
};

// Every page as HTML, by ?f=html and by a browser's Accept header.
const files = [];
for (const [name, target] of Object.entries(pages)) {
  const byParameter = await fetch(base + target);
  const text = await byParameter.text();
  check(byParameter.status === 200 && byParameter.headers.get('content-type') === 'text/html; charset=utf-8',
        `${target} is HTML (${byParameter.status} ${byParameter.headers.get('content-type')})`);
  const withoutF = target.replace(/[?&]f=html/, '').replace(/^([^?]*)&/, '$1?');
  if (name !== 'landing') {  // a browser at / gets the map viewer
    const byAccept = await fetch(base + withoutF, { headers: { Accept: BROWSER_ACCEPT } });
    check(byAccept.headers.get('content-type') === 'text/html; charset=utf-8', `${withoutF} with a browser's Accept is HTML`);
  }
  const file = path.join(outDir, `page-${name}.html`);
  writeFileSync(file, text);
  files.push(file);
}

// The Nu Html Checker: errors only (warnings such as "consider adding lang" are not failures).
const require = createRequire(import.meta.url);
const vnu = require('vnu-jar');
let report = '';
try {
  execFileSync('java', ['-jar', vnu, '--errors-only', '--format', 'text', ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
} catch (error) {
  report = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || String(error);
}
check(report === '', `the Nu Html Checker finds no error in the ${files.length} pages${report ? `:\n${report}` : ''}`);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(`${message.text()} ${message.location()?.url ?? ''}`); });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  const waitForMap = () => page.waitForFunction(() => {
    const map = window.catchmentPage?.map;
    return map && map.loaded() && map.areTilesLoaded() && !map.isMoving();
  }, null, { timeout: 60000 });

  for (const [name, target] of Object.entries(pages)) {
    await page.goto(base + target, { waitUntil: 'load' });
    if (name === 'items' || name === 'item') await waitForMap();
    check(consoleErrors.length === 0, `${name}: no console error${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
    consoleErrors.length = 0;
    await page.screenshot({ path: path.join(outDir, `page-${name}.png`), fullPage: name !== 'items' });
  }

  // The items page: the same features as the JSON, a map of them, and a next page.
  await page.goto(base + pages.items, { waitUntil: 'load' });
  await waitForMap();
  const rows = await page.locator('tbody tr th a').allInnerTexts();
  check(JSON.stringify(rows) === JSON.stringify(allPractices.features.map((f) => f.id)),
        `the items page lists the JSON page's ${allPractices.features.length} practices in order`);
  const figures = await page.locator('main p').first().innerText();
  check(figures.includes(`of ${allPractices.numberMatched} features`), `the items page says how many match (${figures})`);
  const drawn = await page.evaluate(() => new Set(window.catchmentPage.map.queryRenderedFeatures({ layers: ['point'] })
    .map((f) => f.properties.practice_code)).size);
  check(drawn >= allPractices.features.length * 0.9, `the items page's map draws its practices (${drawn} of ${allPractices.features.length})`);
  await page.click('a[rel=next]');
  await page.waitForLoadState('load');
  const nextRows = await page.locator('tbody tr th a').allInnerTexts();
  const second = await json('/collections/practices/items?limit=20&offset=20');
  check(JSON.stringify(nextRows) === JSON.stringify(second.features.map((f) => f.id)), 'its next link shows the next 20 practices');

  // One item: its map and its properties.
  await page.goto(base + pages.item, { waitUntil: 'load' });
  await waitForMap();
  const shown = await page.evaluate(() => window.catchmentPage.map.queryRenderedFeatures({ layers: ['point'] }).length);
  check(shown === 1, `the item page's map draws the practice (${shown})`);
  const table = await page.locator('table').innerText();
  const feature = allPractices.features[0];
  check(table.includes(feature.properties.practice_name) && table.includes(String(feature.properties.list_size)),
        `the item page shows ${firstCode}'s name and list size`);

  // A polygon collection's page draws polygons.
  await page.goto(`${base}/collections/networks/items?f=html&limit=5`, { waitUntil: 'load' });
  await waitForMap();
  const fills = await page.evaluate(() => window.catchmentPage.map.queryRenderedFeatures({ layers: ['fill'] }).length);
  check(fills > 0, `the networks page's map fills its networks (${fills} features drawn)`);
  check(consoleErrors.length === 0, `no console error on the pages visited${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
} catch (error) {
  failures.push(String(error.stack ?? error));
  console.log(`FAIL ${error.stack ?? error}`);
} finally {
  await browser.close();
}
finish();
