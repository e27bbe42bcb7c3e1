// The map viewer in real headless Chromium (Debian's chromium, driven by playwright-core), against a running
// `catchment serve` of the London sample. The page must load with no console error at all.
//   node browser_viewer.mjs URL OUTDIR viewer   the served plan: report from GET /plans/default, networks
//                                               (coloured from the tiles), borders and practices render;
//                                               clicking a real practice shows its real network and
//                                               catchment; gaps at a chosen distance; screenshots in OUTDIR
//   node browser_viewer.mjs URL OUTDIR plan     the Plan button: a bad band shows the server's 400
//                                               description; a good one shows the new plan's id, tiles,
//                                               report, catchments and gaps (all under /plans/{id}/), and
//                                               survives a reload from its ?plan= URL
//   node browser_viewer.mjs URL OUTDIR whatif   what-if mode: close a practice and open one by clicking the
//                                               map, run it from the served plan, and the compare view shows
//                                               what GET /plans/{id}/diff answers, on the map and in the panel;
//                                               the stored plans list, the layer switcher (accessibility
//                                               choropleth, labels) and the keyboard
//   node browser_viewer.mjs URL OUTDIR england  a server of all England: the map opens on England (not
//                                               London), draws networks all over it, and names districts
//                                               and networks near Manchester
// Prints the time from navigation to the map's first idle event (also in OUTDIR/time-to-idle-MODE.txt). Exit 0 pass, 1 fail.
import { check, failures, finish, launchChromium } from './harness.mjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [base, outDir, mode = 'viewer'] = process.argv.slice(2);
if (!base || !outDir || !['viewer', 'plan', 'whatif', 'england'].includes(mode)) {
  console.error('usage: node browser_viewer.mjs URL OUTDIR viewer|plan|whatif|england');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });


async function getJson(target, options) {
  const response = await fetch(base + target, options);
  return { status: response.status, body: await response.json().catch(() => null) };
}

// The 33 London boroughs' names as the sample's group name field (lad11nm) spells them.
const BOROUGHS = new Set(['City of London', 'Barking and Dagenham', 'Barnet', 'Bexley', 'Brent', 'Bromley', 'Camden', 'Croydon',
  'Ealing', 'Enfield', 'Greenwich', 'Hackney', 'Hammersmith and Fulham', 'Haringey', 'Harrow', 'Havering', 'Hillingdon',
  'Hounslow', 'Islington', 'Kensington and Chelsea', 'Kingston upon Thames', 'Lambeth', 'Lewisham', 'Merton', 'Newham',
  'Redbridge', 'Richmond upon Thames', 'Southwark', 'Sutton', 'Tower Hamlets', 'Waltham Forest', 'Wandsworth', 'Westminster']);

const figure = (text, label) => Number((new RegExp(`${label}\\s+([\\d,]+)`).exec(text)?.[1] ?? 'NaN').replaceAll(',', ''));

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

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const paths = [];  // every path the page (and MapLibre's workers) requested
context.on('request', (request) => paths.push(new URL(request.url()).pathname));
const consoleErrors = [];
let refusalUrl = null;    // while set, Chromium's console error for the 400 answer from exactly this URL is expected
const refusals = [];
page.on('console', (message) => {
  if (message.type() !== 'error') return;
  const where = message.location()?.url ?? '';
  // Chromium logs every non-2xx fetch as "Failed to load resource: ... status of 400": the bad Plan
  // input's POST /plans must answer 400, so exactly that message, from exactly that URL, is allowed.
  if (refusalUrl !== null && where === refusalUrl && /status of 400/.test(message.text())) {
    refusals.push(where);
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

/** Moves the map and waits for the idle after it (waitForIdle alone may see the old view's tiles as loaded). */
const jumpTo = (options) => page.evaluate((o) => new Promise((resolve) => {
  const map = window.catchment.map;
  map.once('idle', () => resolve());
  map.jumpTo(o);
  map.triggerRepaint();  // an idle follows even when the view did not change
}), options);

/** Waits for the first idle after a navigation and reports its time. */
async function firstIdle(label) {
  await page.waitForFunction(() => window.catchment?.firstIdleMs !== null && window.catchment?.firstIdleMs !== undefined, null, { timeout: 90000 });
  const idleMs = Math.round(await page.evaluate(() => window.catchment.firstIdleMs));
  console.log(`time from navigation to the map's first idle${label}: ${idleMs} ms`);
  return idleMs;
}

/** The report's figures as shown, checked against a plan document's report. */
async function checkReport(plan, what) {
  const report = await page.locator('#report').innerText();
  const summary = plan.report.summary.plan;
  check(figure(report, 'Networks') === summary.networks, `the report shows ${what}'s ${summary.networks} networks (${figure(report, 'Networks')})`);
  check(figure(report, 'In band \\([^)]*\\)') === summary.in_band, `the report shows ${what}'s ${summary.in_band} networks in band`);
  check(figure(report, 'Outside it: forced, not reached') === summary.forced_out_of_band,
        `the report shows ${what}'s ${summary.forced_out_of_band} networks forced outside the band`);
}

/** The rendered networks: each one's id and list size as in the plan's report. */
async function checkRenderedNetworks(plan, what) {
  const rendered = await page.evaluate(() => window.catchment.map.queryRenderedFeatures({ layers: ['networks-fill'] })
    .map((f) => ({ id: f.properties.network_id, list_size: f.properties.list_size, colour: f.properties.colour })));
  const sizes = new Map(plan.report.networks.map((n) => [n.network_id, n.list_size]));
  const wrong = rendered.filter((f) => sizes.get(f.id) !== f.list_size);
  check(rendered.length > 0 && wrong.length === 0,
    `queryRenderedFeatures finds ${rendered.length} network features, all with ${what}'s ids and list sizes${wrong.length ? ` (not: ${JSON.stringify(wrong.slice(0, 3))})` : ''}`);
  return rendered;
}

/** Clicks the most isolated practice of the plan at `prefix` and checks the popup and its catchment. */
async function clickPractice(prefix) {
  const practices = await getJson(`${prefix}/collections/practices/items?limit=10000`);
  const practice = isolatedPractice(practices.body.features);
  const code = practice.properties.practice_code;
  const served = await getJson(`${prefix}/collections/practices/items/${encodeURIComponent(code)}`);
  const { network_id: networkId, network_name: networkName } = served.body.properties;
  console.log(`clicking practice ${code} (${served.body.properties.practice_name}), network ${networkId} ${networkName}`);
  const [lon, lat] = practice.geometry.coordinates;
  await jumpTo({ center: [lon, lat], zoom: 12.5 });
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
    const features = window.catchment.map.querySourceFeatures('selection');
    return features.length > 0 ? features.map((f) => f.properties.practice_code) : null;
  }, null, { timeout: 10000 }).then((handle) => handle.jsonValue()).catch(() => []);
  check(catchment.length > 0 && catchment.every((c) => c === code), `the practice's catchment is highlighted (${catchment.length} features)`);
  const catchmentPath = `${prefix}/practices/${encodeURIComponent(code)}/catchment`;
  check(paths.includes(catchmentPath), `the catchment came from ${catchmentPath}`);
  const highlighted = await page.evaluate(() => window.catchment.map.getFilter('network-highlight-line'));
  check(JSON.stringify(highlighted).includes(networkId), 'its network is outlined');
  await waitForIdle();
}

/** The labels placed in a symbol layer at the current view (only what MapLibre really drew). */
const placedLabels = (layer, field) => page.evaluate(([l, f]) => window.catchment.map.queryRenderedFeatures({ layers: [l] })
  .map((feature) => feature.properties[f]), [layer, field]);

/**
 * Labels in the served style with glyphs from the server: borough names at the opening view, network names
 * at neighbourhood zoom, practice names close in; each font's glyphs came from /fonts/.
 */
async function checkLabels(boroughNames) {
  const boroughs = await placedLabels('group-labels', 'group_name');
  const known = boroughs.filter((name) => boroughNames.has(name));
  check(boroughs.length >= 10 && known.length === boroughs.length,
        `borough names are drawn at the opening view (${boroughs.length}: ${boroughs.slice(0, 5).join(', ')}...)`);
  const fontPaths = paths.filter((p) => p.startsWith('/fonts/'));
  check(fontPaths.includes('/fonts/DejaVu%20Sans%20Bold/0-255.pbf'), `the glyphs came from the server (${[...new Set(fontPaths)].join(', ')})`);
  await page.screenshot({ path: path.join(outDir, 'labels-boroughs.png') });
  const networks = (await getJson('/collections/networks/items?limit=10000')).body.features.map((f) => f.properties.network_name);
  const names = new Set(networks);
  await jumpTo({ center: [-0.04, 51.52], zoom: 12 });  // Tower Hamlets
  const drawn = await placedLabels('network-labels', 'network_name');
  check(drawn.length >= 3 && drawn.every((name) => names.has(name)), `network names are drawn at z12 (${drawn.length}: ${drawn.slice(0, 4).join(', ')}...)`);
  check((await placedLabels('group-labels', 'group_name')).length === 0, 'borough names give way to networks from z12');
  await jumpTo({ center: [-0.04, 51.52], zoom: 14.5 });
  const practices = await placedLabels('practices-label', 'practice_name');
  check(practices.length >= 2 && practices.every((name) => typeof name === 'string' && name.length > 0),
        `practice names are drawn at z14.5 (${practices.length}: ${practices.slice(0, 3).join(', ')}...)`);
  await page.screenshot({ path: path.join(outDir, 'labels-practices.png') });
  check(fontPaths.length > 0 && !fontPaths.some((p) => !p.endsWith('.pbf')), 'only glyph ranges were asked of /fonts/');
}

/** What-if mode through the panel and the map, then the compare view against GET /plans/{id}/diff. */
async function checkWhatIf() {
  const practices = await getJson('/collections/practices/items?limit=10000');
  const practice = isolatedPractice(practices.body.features);
  const code = practice.properties.practice_code;
  const [lon, lat] = practice.geometry.coordinates;
  // The toggle works from the keyboard.
  await page.focus('#whatif-toggle');
  await page.keyboard.press('Enter');
  check(await page.getAttribute('#whatif-toggle', 'aria-pressed') === 'true', 'Enter on the focused What-if button starts editing');
  await jumpTo({ center: [lon, lat], zoom: 13 });
  const box = await page.locator('#map canvas').boundingBox();
  const at = await page.evaluate(([x, y]) => window.catchment.map.project([x, y]), [lon, lat]);
  await page.mouse.click(box.x + at.x, box.y + at.y);
  const changes = () => page.locator('#whatif-changes').innerText();
  check((await changes()).includes(`Close ${practice.properties.practice_name}`), `clicking practice ${code} lists it to close`);
  // A click away from every practice proposes a new one there.
  const empty = await page.evaluate(() => {
    const map = window.catchment.map;
    for (let dx = 120; dx < 400; dx += 40) {
      const p = { x: map.getCanvas().clientWidth / 2 + dx, y: map.getCanvas().clientHeight / 2 };
      if (map.queryRenderedFeatures([[p.x - 15, p.y - 15], [p.x + 15, p.y + 15]], { layers: ['practices-circle'] }).length === 0) return p;
    }
    return null;
  });
  check(empty !== null, 'a spot with no practice near it is found');
  await page.mouse.click(box.x + empty.x, box.y + empty.y);
  await page.locator('#whatif-new').waitFor({ state: 'visible', timeout: 5000 });
  await page.fill('#whatif-name', 'Test Surgery');
  await page.fill('#whatif-list', '9000');
  await page.click('#whatif-new button[type=submit]');
  check((await changes()).includes('Open Test Surgery'), 'the new practice is listed to open');
  check(!(await page.locator('#whatif-new').isVisible()), 'the new practice form closes once it is added');
  check(await page.evaluate(() => window.catchment.map.getSource('whatif').serialize().data.features.length) === 1, 'the new site is on the map');
  await page.click('#whatif-run');
  await page.waitForFunction(() => /Showing what-if plan|failed/.test(document.getElementById('whatif-status').textContent), null, { timeout: 300000 });
  const status = await page.locator('#whatif-status').innerText();
  const planId = await page.evaluate(() => window.catchment.planId);
  check(status.includes(`Showing what-if plan ${planId}`), `the what-if ran and is shown (${status})`);
  await waitForIdle();
  const closed = (await getJson(`/plans/${planId}/collections/practices/items/${encodeURIComponent(code)}`)).body;
  check(closed.properties.excluded === true, `${code} is closed (excluded) in the what-if`);
  const opened = (await getJson(`/plans/${planId}/collections/practices/items?practice_name=Test%20Surgery`)).body;
  // Its patients are drawn from its neighbours by the Huff model, up to the list size asked for.
  const drawnList = opened.features?.[0]?.properties.list_size;
  check(opened.numberMatched === 1 && drawnList > 0 && drawnList <= 9000 && opened.features[0].properties.network_id,
        `the new practice is in the what-if, in a network, drawing up to the 9,000 patients asked for (${drawnList})`);
  const diff = (await getJson(`/plans/${planId}/diff?against=default`)).body;
  // Re-planned from the served plan, a what-if changes only what it must: most networks stay as they were.
  check(diff.summary.unchanged > 3 * diff.summary.changed, `most networks are unchanged (${diff.summary.unchanged} unchanged, ${diff.summary.changed} changed)`);
  const summary = await page.locator('#compare-summary').innerText();
  check(summary.startsWith(`${new Intl.NumberFormat('en-GB').format(diff.summary.moved)} practices moved, ${diff.summary.changed} networks changed`),
        `the compare view's summary is the diff's (${summary})`);
  const moved = await page.locator('#compare-moved li').allInnerTexts().catch(() => []);
  check(moved.length === diff.moved_practices.length && diff.moved_practices.every((m, i) => moved[i]?.startsWith(m.practice)),
        `the compare view lists the ${diff.moved_practices.length} moved practices`);
  const changedIds = diff.networks.filter((n) => n.change !== 'dissolved').map((n) => n.network_id).sort();
  const filter = await page.evaluate(() => window.catchment.map.getFilter('changed-networks-line'));
  check(JSON.stringify(filter[2][1].slice().sort()) === JSON.stringify(changedIds), `the map outlines the ${changedIds.length} changed networks`);
  const rows = await page.locator('table.compare tbody tr').count();
  check(rows === diff.networks.length, `the compare table has a row per changed network with before and after list sizes (${rows})`);
  await jumpTo({ zoom: 11.5 });
  const outlined = await page.evaluate(() => window.catchment.map.queryRenderedFeatures({ layers: ['changed-networks-line'] }).length);
  check(outlined > 0, `changed networks are drawn outlined (${outlined})`);
  await page.screenshot({ path: path.join(outDir, 'compare.png') });
  // The stored plans list names both, with downloads.
  const listed = await page.locator('#plans-list li').allInnerTexts();
  check(listed.length >= 1 && (await page.locator('#plans-list a[download]').count()) >= 1, `the stored plans list shows plans with downloads (${listed.length})`);
  await page.click('#compare-baseline');
  await waitForIdle();
  check(await page.evaluate(() => window.catchment.planId) === 'default', 'the compare view switches the map to the baseline');

  // The layer switcher: accessibility on, labels off.
  await page.check('input[data-group=access]');
  await waitForIdle();
  const access = await page.evaluate(() => window.catchment.map.queryRenderedFeatures({ layers: ['access-fill'] }).length);
  check(access > 0, `the accessibility choropleth draws areas at z11.5 (${access})`);
  check((await page.locator('.access-legend li').count()) === 6, 'its legend has six classes');
  await page.uncheck('input[data-group=labels]');
  check(await page.evaluate(() => window.catchment.map.getLayoutProperty('network-labels', 'visibility')) === 'none', 'the switcher hides the labels');
}

/** Whether [lon, lat] lies inside a GeoJSON polygon's rings (even-odd) or a multipolygon's. */
function inside(geometry, [x, y]) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let count = 0;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) count += 1;
      }
    }
  }
  return count % 2 === 1;
}

/** The share of strongly red pixels (the hatching's lines) in a 24 x 24 square of the map around a screen point. */
async function redShare(point) {
  const box = await page.locator('#map canvas').boundingBox();
  const png = await page.screenshot({ clip: { x: box.x + point.x - 12, y: box.y + point.y - 12, width: 24, height: 24 } });
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = new OffscreenCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let red = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 140 && pixels[i + 1] < 90 && pixels[i + 2] < 100) red += 1;
    return red / (pixels.length / 4);
  }, png.toString('base64'));
}

/**
 * The gaps' hatching is drawn in every tile: a gap area that a z12 tile edge crosses is hatched on both sides
 * of the edge (the pattern is registered before the hatched layer is added, so no tile is laid out without it),
 * and the red comes from the hatching (none with the layer hidden).
 */
async function checkHatchingAcrossTileEdge() {
  const zoom = 12;
  const gaps = (await getJson('/collections/gaps/items?limit=10000')).body.features;
  const tiles = 2 ** zoom;
  const mercatorY = (lat) => (1 - Math.log(Math.tan((lat * Math.PI) / 180) + 1 / Math.cos((lat * Math.PI) / 180)) / Math.PI) / 2;
  let best = null;
  for (const gap of gaps) {
    const points = (gap.geometry.type === 'Polygon' ? [gap.geometry.coordinates] : gap.geometry.coordinates).flat(2);
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    const [west, east] = [Math.min(...lons), Math.max(...lons)];
    for (let x = Math.ceil(((west + 180) / 360) * tiles); x <= Math.floor(((east + 180) / 360) * tiles); x += 1) {
      const edge = (x / tiles) * 360 - 180;
      const step = 360 / tiles / 512;  // one pixel of longitude at zoom 12 (512-pixel tiles)
      // Points on the edge, inside the gap with 24 px of it on both sides, and not on a z12 tile row's edge either.
      for (let lat = Math.min(...lats); lat <= Math.max(...lats); lat += step * 0.6) {
        const row = mercatorY(lat) * tiles;
        if (Math.abs(row - Math.round(row)) * 512 < 24) continue;
        const ok = [-24, -12, 0, 12, 24].every((dx) => [-12, 0, 12].every((dy) => inside(gap.geometry, [edge + dx * step, lat + dy * step * 0.6])));
        if (ok) {
          best = { id: gap.id, edge, lat };
          break;
        }
      }
      if (best) break;
    }
    if (best) break;
  }
  check(best !== null, `a gap area crossed by a z12 tile edge is found (${best?.id})`);
  if (!best) return;
  // Only the fills under test: labels, practices, outlines and the chosen-distance gaps could cover the spots.
  const others = ['group-labels', 'network-labels', 'practices-label', 'practices-dot', 'practices-circle', 'gaps-line', 'gap-query-fill',
                  'gap-query-line', 'selection-fill', 'selection-line', 'catchments-line', 'network-borders-line', 'constraint-borders-line'];
  await page.evaluate((layers) => {
    window.catchment.popup?.remove();
    for (const layer of layers) if (window.catchment.map.getLayer(layer)) window.catchment.map.setLayoutProperty(layer, 'visibility', 'none');
  }, others);
  await jumpTo({ center: [best.edge, best.lat], zoom: zoom + 0.4 });
  const centre = await page.evaluate(([lon, lat]) => window.catchment.map.project([lon, lat]), [best.edge, best.lat]);
  const west = await redShare({ x: centre.x - 14, y: centre.y });
  const east = await redShare({ x: centre.x + 14, y: centre.y });
  check(west > 0.06 && east > 0.06, `gap ${best.id} is hatched on both sides of the tile edge at lon ${best.edge.toFixed(5)} (red ${(west * 100).toFixed(0)}% west, ${(east * 100).toFixed(0)}% east)`);
  await page.screenshot({ path: path.join(outDir, 'hatching-tile-edge.png') });
  await page.evaluate(() => window.catchment.map.setLayoutProperty('gaps-fill', 'visibility', 'none'));
  await waitForIdle();
  const hidden = Math.max(await redShare({ x: centre.x - 14, y: centre.y }), await redShare({ x: centre.x + 14, y: centre.y }));
  check(hidden < 0.02, `without the hatched layer the same spots are not red (${(hidden * 100).toFixed(0)}%)`);
  await page.evaluate(() => window.catchment.map.setLayoutProperty('gaps-fill', 'visibility', 'visible'));
}

/** Gaps at a chosen distance: the map shows exactly what GET {prefix}/gaps answers. */
async function checkGaps(prefix) {
  await page.evaluate(() => window.catchment.popup?.remove());
  const distance = 1000;
  const gaps = await getJson(`${prefix}/gaps?max_distance_m=${distance}`);
  await page.evaluate(() => { document.getElementById('gap-status').textContent = ''; });
  await page.fill('#gap-distance', String(distance));
  await page.click('#gap-form button');
  await page.waitForFunction(() => document.getElementById('gap-status').textContent.length > 0, null, { timeout: 10000 });
  const status = await page.locator('#gap-status').innerText();
  check(status.includes(new Intl.NumberFormat('en-GB').format(gaps.body.summary.people)), `the gap summary shows GET ${prefix}/gaps's ${gaps.body.summary.people} people`);
  check(status.includes(`farther than ${new Intl.NumberFormat('en-GB').format(distance)} m`), `the gap summary names the distance asked for (${status})`);
  const shown = await page.evaluate(() => window.catchment.map.getSource('gap-query').serialize().data.features.length);
  check(shown === gaps.body.features.length, `the map holds the ${gaps.body.features.length} gap areas GET ${prefix}/gaps answers (${shown})`);
  check(paths.includes(`${prefix}/gaps`), `the viewer asked ${prefix}/gaps`);
}

/** The Plan form with a band; resolves to the status line once the answer is shown. */
async function submitPlan(min, max) {
  await page.fill('#plan-min', String(min));
  await page.fill('#plan-max', String(max));
  await page.click('#plan-button');
  await page.waitForFunction(() => !document.getElementById('plan-button').disabled
    && !/Planning/.test(document.getElementById('plan-status').textContent), null, { timeout: 300000 });
  return page.locator('#plan-status').innerText();
}

try {
  await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  const idleMs = await firstIdle('');
  writeFileSync(path.join(outDir, `time-to-idle-${mode}.txt`), `${idleMs}\n`);
  const title = await page.title();
  check(title.includes('catchment'), `GET / in a browser is the viewer (title "${title}")`);
  // The data's licence statement, from the dataset description through TileJSON and the style, shown on the map.
  const tilejson = (await getJson('/tiles.json')).body;
  const attribution = await page.evaluate(() => {
    const box = document.querySelector('.maplibregl-ctrl-attrib-inner');
    if (!box) return null;
    const r = box.getBoundingClientRect();
    return { text: box.textContent, visible: r.width > 0 && r.height > 0 && getComputedStyle(box).visibility !== 'hidden' };
  });
  check(typeof tilejson.attribution === 'string' && tilejson.attribution.includes('Open Government Licence'),
        `TileJSON carries the dataset's attribution (${tilejson.attribution})`);
  check(attribution !== null && attribution.visible && attribution.text.includes('Open Government Licence'),
        `the map shows the attribution (${attribution && attribution.text})`);
  // It opened on the dataset's extent (TileJSON's bounds), whatever the style's center says.
  const view = await page.evaluate(() => window.catchment.map.getBounds().toArray());
  const [w, s, e, n] = tilejson.bounds;
  const slack = 0.02 * (e - w);
  check(view[0][0] <= w + slack && view[0][1] <= s + slack && view[1][0] >= e - slack && view[1][1] >= n - slack &&
        (view[1][0] - view[0][0]) < 4 * (e - w),
        `the map opened on the dataset's extent ${JSON.stringify(tilejson.bounds)} (it shows ${JSON.stringify(view)})`);
  const served = (await getJson('/plans/default')).body;
  check(paths.includes('/plans/default'), 'the viewer read GET /plans/default');
  check(!paths.some((p) => p.includes('network_borders')), 'the viewer downloaded no network_borders collection (colours come from the tiles)');
  await checkReport(served, 'GET /plans/default');

  if (mode === 'viewer') {
    const rendered = await checkRenderedNetworks(served, 'the served plan');
    check(rendered.every((f) => Number.isInteger(f.colour)), 'every rendered network carries its colour slot from the tiles');
    const fill = await page.evaluate(() => window.catchment.map.getPaintProperty('networks-fill', 'fill-color'));
    check(JSON.stringify(fill).startsWith('["match",["get","colour"]'), 'networks are filled by their colour slot');
    const counts = await page.evaluate(() => {
      const count = (layer) => window.catchment.map.queryRenderedFeatures({ layers: [layer] }).length;
      return { practices: count('practices-circle'), borders: count('network-borders-line'), constraints: count('constraint-borders-line') };
    });
    check(counts.practices > 0, `queryRenderedFeatures finds practice features (${counts.practices})`);
    check(counts.borders > 0, `network borders are drawn (${counts.borders})`);
    check(counts.constraints > 0, `constraint (borough) borders are drawn (${counts.constraints})`);
    await page.screenshot({ path: path.join(outDir, 'viewer.png') });
    await checkLabels(BOROUGHS);
    await clickPractice('');
    await page.screenshot({ path: path.join(outDir, 'practice.png') });
    await checkGaps('');
    await checkHatchingAcrossTileEdge();
  } else if (mode === 'whatif') {
    await checkWhatIf();
  } else if (mode === 'england') {
    check(w < -5 && e > 1.5 && s < 50.5 && n > 55.5, `TileJSON's bounds are England's (${JSON.stringify(tilejson.bounds)})`);
    const rendered = await page.evaluate(() => new Set(window.catchment.map.queryRenderedFeatures({ layers: ['networks-fill'] })
      .map((f) => f.properties.network_id)).size);
    check(rendered > 1000, `networks are drawn all over England at the opening view (${rendered} of ${served.report.summary.plan.networks})`);
    await page.screenshot({ path: path.join(outDir, 'england.png') });
    await jumpTo({ center: [-2.3, 53.45], zoom: 9 });
    const districts = await placedLabels('group-labels', 'group_name');
    check(districts.includes('Manchester') && districts.includes('Trafford'), `district names near Manchester at z9 (${districts.slice(0, 6).join(', ')}...)`);
    await jumpTo({ center: [-2.24, 53.48], zoom: 11 });
    const networks = await placedLabels('network-labels', 'network_name');
    check(networks.length >= 3, `network names in Manchester at z11 (${networks.slice(0, 3).join(', ')}...)`);
    await page.screenshot({ path: path.join(outDir, 'england-manchester.png') });
  } else {
    // A bad band: the server's 400 description is shown, and nothing changes.
    const bad = { min_list_size: 50000, max_list_size: 30000, constraint_field: 'lad11cd' };
    const expected = await getJson('/plans', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bad) });
    check(expected.status === 400 && expected.body?.description, `POST /plans with min > max answers 400 (${expected.status}: ${expected.body?.description})`);
    refusalUrl = `${base}/plans`;
    const refused = await submitPlan(bad.min_list_size, bad.max_list_size);
    check(refused.includes(expected.body.description), `the panel shows the server's description (${refused})`);
    check(await page.locator('#plan-status.error').count() === 1, 'the refusal is shown as an error');
    check(!new URL(page.url()).searchParams.has('plan'), 'the URL still shows the served plan');
    check(refusals.length <= 1, `at most the one console error for the 400 from POST /plans (${refusals.length})`);
    refusalUrl = null;

    const status = await submitPlan(25000, 45000);
    const planId = await page.evaluate(() => window.catchment.planId);
    check(status === `Showing plan ${planId}.` && planId !== 'default', `the Plan button made plan ${planId} (${status})`);
    check((await page.locator('#plan-id').innerText()).includes(planId), 'the panel names the new plan');
    check(new URL(page.url()).searchParams.get('plan') === planId, 'the plan id is in the URL (?plan=)');
    const prefix = `/plans/${planId}`;
    const sourceUrl = await page.evaluate(() => window.catchment.map.getStyle().sources.catchment.url);
    check(new URL(sourceUrl, base).pathname === `${prefix}/tiles.json`, `the map's source is the new plan's (${sourceUrl})`);
    await page.waitForFunction(() => window.catchment.map.queryRenderedFeatures({ layers: ['networks-fill'] }).length > 0, null, { timeout: 60000 });
    await waitForIdle();
    check(paths.some((p) => p.startsWith(`${prefix}/tiles/`)), `tiles were read from ${prefix}/tiles/`);
    const plan = (await getJson(prefix)).body;
    const rendered = await checkRenderedNetworks(plan, `plan ${planId}`);
    const defaultSizes = new Map(served.report.networks.map((n) => [n.network_id, n.list_size]));
    console.log(`(${rendered.filter((f) => defaultSizes.get(f.id) !== f.list_size).length} of them differ from the served plan's)`);
    await checkReport(plan, `GET ${prefix}`);
    check(plan.report.options.min_list_size === 25000 && plan.report.options.max_list_size === 45000, 'the new plan has the band asked for');
    await page.screenshot({ path: path.join(outDir, 'plan.png') });
    await clickPractice(prefix);
    await checkGaps(prefix);

    // The URL opens the plan again.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await firstIdle(` (reloading ?plan=${planId})`);
    check((await page.locator('#plan-id').innerText()).includes(planId), 'a reload of the URL shows the plan again');
    await checkReport(plan, `GET ${prefix}`);
  }
  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`);
} catch (error) {
  failures.push(String(error.stack ?? error));
  console.log(`FAIL ${error.stack ?? error}`);
  await page.screenshot({ path: path.join(outDir, `${mode}-failure.png`) }).catch(() => {});
} finally {
  await browser.close();
}
finish();
