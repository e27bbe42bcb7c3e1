// The catchment map viewer: the served plan's networks, practices and coverage gaps from /style.json and
// /tiles.json, a practice's catchment and network on click, the quality report, new plans (POST /plans)
// and gaps at a chosen distance. Everything comes from this server; ?basemap=<xyz raster URL> adds a
// basemap under the networks.
import * as maplibregl from '/web/maplibre-gl/maplibre-gl.mjs';
import { escapeHtml, formatNumber, formatPercent, renderHistogram, renderLegend, renderReport, summarise, STATUS_LABELS } from '/web/panel.js';

// ColorBrewer Set3 (as the served style) with its salmon swapped for a beige, so that no network looks
// like a red coverage gap: light enough to fill under dark borders and circles.
const PALETTE = ['#8dd3c7', '#ffffb3', '#bebada', '#80b1d3', '#fdb462', '#b3de69', '#fccde5', '#e5d8bd', '#d9d9d9', '#bc80bd', '#ccebc5', '#ffed6f'];
const GAP_PATTERN = 'gap-hatch';
const SOURCE = 'catchment';

const params = new URLSearchParams(window.location.search);
const $ = (id) => document.getElementById(id);

const viewer = {
  map: null,
  planId: params.get('plan') || 'default',
  plansApi: true,          // false once the server answered 404 for the plans API
  band: [30000, 50000],
  networks: new Map(),     // id -> {id, name, practices, list_size, population, status, cohesion, ...}
  practices: new Map(),    // code -> properties
  firstIdleMs: null,       // performance.now() at the first idle event (navigation start is 0)
  popup: null,
  selectedCode: null,      // the practice whose catchment is shown
};
window.catchment = viewer;  // for the browser tests and the console

function showMessage(text) {
  const element = $('message');
  element.textContent = text;
  element.hidden = !text;
}

async function fetchJson(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { Accept: 'application/json', ...(options.headers || {}) } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, ok: response.ok, body };
}

const planPrefix = () => (viewer.planId === 'default' ? '' : `/plans/${encodeURIComponent(viewer.planId)}`);

/** All features of a collection of the current plan (properties only are used). */
async function collection(id) {
  const answer = await fetchJson(`${planPrefix()}/collections/${id}/items?limit=10000`);
  if (!answer.ok) throw new Error(`${id}: ${answer.body?.description || `HTTP ${answer.status}`}`);
  return answer.body.features.map((f) => f.properties);
}

/** Colours networks so that no two neighbours share one: greedy, most-connected first. */
function networkColours(networkIds, borders) {
  const neighbours = new Map(networkIds.map((id) => [id, new Set()]));
  for (const { network_a: a, network_b: b } of borders) {
    if (neighbours.has(a) && neighbours.has(b)) {
      neighbours.get(a).add(b);
      neighbours.get(b).add(a);
    }
  }
  const order = [...networkIds].sort((x, y) => neighbours.get(y).size - neighbours.get(x).size || (x < y ? -1 : 1));
  const colour = new Map();
  for (const id of order) {
    const used = new Set([...neighbours.get(id)].map((n) => colour.get(n)));
    let slot = 0;
    while (used.has(slot) && slot < PALETTE.length - 1) slot += 1;
    colour.set(id, slot);
  }
  return colour;
}

function layerIndex(style, id) {
  return style.layers.findIndex((layer) => layer.id === id);
}

function insertBefore(style, beforeId, layer) {
  const at = layerIndex(style, beforeId);
  if (at < 0) style.layers.push(layer);
  else style.layers.splice(at, 0, layer);
}

/** The served style plus the viewer's layers: distinct network colours, constraint borders, highlights. */
function viewerStyle(style, colours, constraints) {
  const fill = style.layers.find((layer) => layer.id === 'networks-fill');
  if (fill && colours.size > 0) {
    const match = ['match', ['get', 'network_id']];
    for (const [id, slot] of colours) match.push(id, PALETTE[slot]);
    match.push(fill.paint['fill-color']);
    fill.paint['fill-color'] = match;
  }
  // Coverage gaps hatched in red, so that they read as gaps over any network colour.
  const gaps = style.layers.find((layer) => layer.id === 'gaps-fill');
  if (gaps) gaps.paint = { 'fill-pattern': GAP_PATTERN };
  const basemap = params.get('basemap');
  if (basemap) {
    style.sources.basemap = { type: 'raster', tiles: [basemap], tileSize: 256 };
    insertBefore(style, style.layers[1]?.id, { id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.6 } });
    if (fill) fill.paint['fill-opacity'] = 0.5;
  }
  // Borders where the networks on the two sides have different constraint values (e.g. boroughs).
  const constraintOf = (side) => {
    const match = ['match', ['get', side]];
    for (const [id, value] of constraints) match.push(id, value);
    match.push('');
    return match;
  };
  if (constraints.size > 0 && layerIndex(style, 'network-borders-line') >= 0) {
    insertBefore(style, 'gaps-line', {
      id: 'constraint-borders-line', type: 'line', source: SOURCE, 'source-layer': 'network_borders',
      filter: ['!=', constraintOf('network_a'), constraintOf('network_b')],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#5a2d82', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1.8, 14, 4.5] },
    });
  }
  style.sources.selection = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  style.sources['gap-query'] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  const before = layerIndex(style, 'practices-circle') >= 0 ? 'practices-circle' : undefined;
  const add = (layer) => insertBefore(style, before, layer);
  add({ id: 'gap-query-fill', type: 'fill', source: 'gap-query', paint: { 'fill-color': '#6a3d9a', 'fill-opacity': 0.3 } });
  add({ id: 'gap-query-line', type: 'line', source: 'gap-query', paint: { 'line-color': '#6a3d9a', 'line-width': 1.2, 'line-dasharray': [2, 1] } });
  add({ id: 'selection-fill', type: 'fill', source: 'selection', filter: ['==', ['get', 'kind'], 'catchment'], paint: { 'fill-color': '#ffd700', 'fill-opacity': 0.35 } });
  add({ id: 'selection-line', type: 'line', source: 'selection', paint: { 'line-color': '#e6a800', 'line-width': ['match', ['get', 'kind'], 'core', 1, 2.5] } });
  add({
    id: 'network-highlight-line', type: 'line', source: SOURCE, 'source-layer': 'networks', filter: ['==', ['get', 'network_id'], ''],
    paint: { 'line-color': '#000000', 'line-width': 3.5 },
  });
  style.layers.push({
    id: 'practice-highlight', type: 'circle', source: SOURCE, 'source-layer': 'practices', filter: ['==', ['get', 'code'], ''],
    paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#000000', 'circle-stroke-width': 3 },
  });
  return style;
}

/** The plan document (GET /plans/{id}), or null when the server has no plans API (404). */
async function planDocument() {
  const answer = await fetchJson(`/plans/${encodeURIComponent(viewer.planId)}`);
  if (answer.ok) return answer.body;
  if (answer.status === 404 && viewer.planId === 'default') {
    viewer.plansApi = false;
    return null;
  }
  if (answer.status === 404) {
    // A plan from an older URL that this server no longer holds (e.g. after a restart): show the served plan.
    showMessage(`Plan ${viewer.planId} is not on this server (any more); showing the served plan.`);
    viewer.planId = 'default';
    const url = new URL(window.location.href);
    url.searchParams.delete('plan');
    window.history.replaceState(null, '', url);
    return planDocument();
  }
  throw new Error(`plan ${viewer.planId}: ${answer.body?.description || `HTTP ${answer.status}`}`);
}

/** Loads what the panel and popups need for the current plan, and the style with the viewer's layers. */
async function loadPlan(documentIfKnown) {
  // The document first: an unknown plan falls back to the served one, which changes every URL below.
  const doc = documentIfKnown ?? (await planDocument());
  const [styleAnswer, practices, borders] = await Promise.all([
    fetchJson(`${planPrefix()}/style.json`), collection('practices'), collection('network_borders').catch(() => []),
  ]);
  if (!styleAnswer.ok) throw new Error(`style: ${styleAnswer.body?.description || `HTTP ${styleAnswer.status}`}`);
  const networks = doc?.report?.networks ?? (await collection('networks')).map((n) => ({
    ...n, id: n.network_id, name: n.network_name, practices: String(n.practice_codes || '').split(/[,;]\s*/).filter(Boolean),
    constraint_value: n.constraint_value,
  }));
  viewer.networks = new Map(networks.map((n) => [n.id, n]));
  viewer.practices = new Map(practices.map((p) => [p.practice_code, p]));
  const options = doc?.options ?? doc?.report?.options;
  if (options) {
    viewer.band = [options.min_list_size, options.max_list_size];
    $('plan-min').value = options.min_list_size;
    $('plan-max').value = options.max_list_size;
    $('plan-constraint').value = options.constraint_field ?? '';
  }
  $('plan-id').textContent = viewer.planId === 'default' ? '(served plan)' : `(plan ${viewer.planId})`;
  const summary = doc?.report?.summary?.plan ?? summarise(networks, viewer.band);
  $('report-source').textContent = doc
    ? `From /plans/${viewer.planId}.`
    : 'Computed from /collections/networks: this server has no plans API yet (GET /plans/default answered 404).';
  renderReport($('report'), summary, doc?.report?.gaps, viewer.band);
  renderHistogram($('histogram'), networks.map((n) => Number(n.list_size) || 0), viewer.band);
  const colours = networkColours([...viewer.networks.keys()], borders);
  const constraints = new Map(networks.filter((n) => n.constraint_value).map((n) => [n.id, String(n.constraint_value)]));
  return viewerStyle(styleAnswer.body, colours, constraints);
}

function networkHtml(network, fallback) {
  const n = network ?? fallback ?? {};
  const members = (n.practices ?? []).map((code) => {
    const p = viewer.practices.get(code);
    return `<li>${escapeHtml(code)}${p ? ` ${escapeHtml(p.practice_name)} <span class="muted">(${formatNumber(p.list_size)})</span>` : ''}</li>`;
  });
  const status = n.status ?? fallback?.status;
  return `<h4>Network <span class="network-id">${escapeHtml(n.id ?? n.network_id)}</span>: <span class="network-name">${escapeHtml(n.name ?? n.network_name)}</span></h4>
<dl class="figures">
<dt>Band status</dt><dd class="status-${escapeHtml(status)}">${escapeHtml(STATUS_LABELS[status] ?? status)}${n.status_reason ? ` (${escapeHtml(n.status_reason)})` : ''}</dd>
<dt>List size</dt><dd>${formatNumber(n.list_size)}</dd>
<dt>Population</dt><dd>${formatNumber(n.population)}</dd>
<dt>Cohesion</dt><dd>${formatPercent(n.cohesion)}</dd>
</dl>
${members.length ? `<p class="small">${members.length} member practices:</p><ul class="members">${members.join('')}</ul>` : ''}`;
}

function openPopup(lngLat, html) {
  viewer.popup?.remove();
  viewer.popup = new maplibregl.Popup({ maxWidth: '320px' }).setLngLat(lngLat).setHTML(html).addTo(viewer.map);
}

function highlight(networkId, practiceCode) {
  const map = viewer.map;
  map.setFilter('network-highlight-line', ['==', ['get', 'network_id'], networkId ?? '']);
  map.setFilter('practice-highlight', ['==', ['get', 'code'], practiceCode ?? '']);
}

async function selectPractice(feature, lngLat) {
  const p = feature.properties;
  const network = viewer.networks.get(p.network_id);
  const practice = viewer.practices.get(p.code);
  openPopup(lngLat, `<div class="popup"><h3>${escapeHtml(p.name)} <span class="muted">${escapeHtml(p.code)}</span></h3>
<p>List size <strong>${formatNumber(p.list_size)}</strong>${practice?.reference_network ? ` · real PCN ${escapeHtml(practice.reference_network)}` : ''}</p>
${networkHtml(network, { id: p.network_id, name: p.network_name, status: p.status })}</div>`);
  highlight(p.network_id, p.code);
  viewer.selectedCode = p.code;
  const url = viewer.planId === 'default'
    ? `/practices/${encodeURIComponent(p.code)}/catchment`
    : `${planPrefix()}/collections/catchments/items/${encodeURIComponent(p.code)}`;
  const answer = await fetchJson(url);
  const source = viewer.map.getSource('selection');
  if (!answer.ok || !source || viewer.selectedCode !== p.code) return;  // failed, or another practice was clicked since
  const body = answer.body.type === 'Feature' ? { type: 'FeatureCollection', features: [{ ...answer.body, properties: { ...answer.body.properties, kind: 'catchment' } }] } : answer.body;
  source.setData(body);
}

function selectNetwork(feature, lngLat) {
  const n = feature.properties;
  openPopup(lngLat, `<div class="popup">${networkHtml(viewer.networks.get(n.network_id), { id: n.network_id, name: n.name, status: n.status, list_size: n.list_size, population: n.population, cohesion: n.cohesion })}</div>`);
  highlight(n.network_id, null);
  viewer.selectedCode = null;
  viewer.map.getSource('selection')?.setData({ type: 'FeatureCollection', features: [] });
}

/** Red diagonal hatching on transparent, 8 px square, for the gaps-fill pattern. */
function hatchImage() {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const onLine = (x + y) % size < 2;
      data.set(onLine ? [177, 0, 38, 200] : [227, 26, 28, 40], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

function wireMap(map) {
  map.on('styleimagemissing', (event) => {
    if (event.id === GAP_PATTERN && !map.hasImage(GAP_PATTERN)) map.addImage(GAP_PATTERN, hatchImage());
  });
  map.on('click', (event) => {
    const hits = map.queryRenderedFeatures(event.point, { layers: ['practices-circle'] });
    if (hits.length > 0) {
      selectPractice(hits[0], event.lngLat).catch((error) => showMessage(String(error)));
      return;
    }
    const networks = map.queryRenderedFeatures(event.point, { layers: ['networks-fill'] });
    if (networks.length > 0) selectNetwork(networks[0], event.lngLat);
  });
  for (const layer of ['practices-circle', 'networks-fill']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
}

async function submitPlan(event) {
  event.preventDefault();
  const status = $('plan-status');
  const body = {
    min_list_size: Number($('plan-min').value),
    max_list_size: Number($('plan-max').value),
    constraint_field: $('plan-constraint').value.trim(),
  };
  const headers = { 'Content-Type': 'application/json' };
  const token = $('plan-token').value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  $('plan-button').disabled = true;
  status.textContent = 'Planning…';
  try {
    const answer = await fetchJson('/plans', { method: 'POST', headers, body: JSON.stringify(body) });
    if (answer.status === 404) {
      status.textContent = 'This server has no plans API yet (POST /plans answered 404).';
      return;
    }
    if (!answer.ok) {
      status.textContent = `The plan was refused: ${answer.body?.description || `HTTP ${answer.status}`}`;
      return;
    }
    viewer.planId = answer.body.id;
    const url = new URL(window.location.href);
    url.searchParams.set('plan', viewer.planId);
    window.history.replaceState(null, '', url);
    const style = await loadPlan(answer.body);
    viewer.popup?.remove();
    viewer.map.setStyle(style);
    viewer.plansApi = true;
    showMessage('');
    status.textContent = `Showing plan ${viewer.planId}.`;
  } catch (error) {
    status.textContent = `Planning failed: ${error.message ?? error}`;
  } finally {
    $('plan-button').disabled = false;
  }
}

async function submitGaps(event) {
  event.preventDefault();
  const status = $('gap-status');
  const distance = $('gap-distance').value;
  const answer = await fetchJson(`/gaps?max_distance_m=${encodeURIComponent(distance)}`);
  if (!answer.ok) {
    status.textContent = answer.body?.description || `HTTP ${answer.status}`;
    return;
  }
  viewer.map.getSource('gap-query')?.setData(answer.body);
  const s = answer.body.summary;
  status.textContent = `${formatNumber(s.people)} people in ${formatNumber(s.areas)} areas farther than ${formatNumber(s.max_distance_m)} m from every practice or outside every network.`;
}

async function start() {
  renderLegend($('legend'), PALETTE);
  const style = await loadPlan(null);
  $('dataset-name').textContent = style.name ?? '';
  const map = new maplibregl.Map({ container: 'map', style, hash: true, attributionControl: { compact: true } });
  viewer.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }));
  map.once('idle', () => { viewer.firstIdleMs = performance.now(); });
  wireMap(map);
  $('plan-form').addEventListener('submit', submitPlan);
  $('gap-form').addEventListener('submit', (event) => submitGaps(event).catch((error) => showMessage(String(error))));
  if (!viewer.plansApi) showMessage('The plans API is not on this server yet: the report is computed from the served networks, and Plan will say so.');
}

viewer.ready = start().catch((error) => {
  showMessage(`The viewer could not start: ${error.message ?? error}`);
  throw error;
});
