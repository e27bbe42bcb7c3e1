// The catchment map viewer. Everything comes from this server: the plan document (GET /plans/{id}: the
// quality report and the networks), the plan's style and vector tiles (networks coloured by their tiles'
// `colour` slot, so that neighbours differ), a practice's catchment on click and gaps at a chosen distance,
// all under /plans/{id}/ for a plan made with the Plan button (POST /plans). The map view is kept in the
// URL hash, the plan in ?plan=ID; ?basemap=<xyz raster URL> adds a basemap under the networks.
import * as maplibregl from '/web/maplibre-gl/maplibre-gl.mjs';
import { escapeHtml, formatNumber, formatPercent, renderHistogram, renderLegend, renderReport, STATUS_LABELS } from '/web/panel.js';
import { accessibilityLayer, applyLayerVisibility, LAYER_GROUPS, renderLayerSwitcher, renderPlanList } from '/web/layers.js';
import { applyComparison, initWhatIf, whatIfLayers } from '/web/whatif.js';

const GAP_PATTERN = 'gap-hatch';
const SOURCE = 'catchment';

const params = new URLSearchParams(window.location.search);
const $ = (id) => document.getElementById(id);

const viewer = {
  map: null,
  planId: params.get('plan') || 'default',
  band: [30000, 50000],
  networks: new Map(),     // network_id -> the report's network {network_id, network_name, practices, list_size, status, cohesion, ...}
  practices: new Map(),    // code -> properties
  firstIdleMs: null,       // performance.now() at the first idle event (navigation start is 0)
  popup: null,
  selectedCode: null,      // the practice whose catchment is shown
  medianAccess: 0,         // the plan's median accessibility (per 1,000 residents), the choropleth's reference
  layerVisible: Object.fromEntries(LAYER_GROUPS.map((g) => [g.id, g.visible])),
  comparison: null,        // the last what-if's diff against its baseline (whatif.js)
};
window.catchment = viewer;  // for the browser tests and the console

function showMessage(text) {
  const element = $('message');
  element.textContent = text;
  element.hidden = !text;
}

/** Shows `text` in a status line, marked as an error or not. */
function showStatus(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle('error', isError);
}

/** An answer other than 2xx: the HTTP status and the server's description. */
class ApiError extends Error {
  constructor(status, description) {
    super(description);
    this.status = status;
  }
}

/** The JSON body of a 2xx answer; any other answer throws an ApiError with the server's description. */
async function api(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { Accept: 'application/json', ...options.headers } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.description ?? `HTTP ${response.status} from ${url}`);
  return body;
}

/** Where the current plan's routes are: the served plan's at the root, others under /plans/{id}. */
const planPrefix = () => (viewer.planId === 'default' ? '' : `/plans/${encodeURIComponent(viewer.planId)}`);

/** Makes `id` the current plan, in the viewer and in the URL's ?plan= (none for the served plan). */
function setPlan(id) {
  viewer.planId = id;
  const url = new URL(window.location.href);
  if (id === 'default') url.searchParams.delete('plan');
  else url.searchParams.set('plan', id);
  window.history.replaceState(null, '', url);
}

function layerIndex(style, id) {
  return style.layers.findIndex((layer) => layer.id === id);
}

function insertBefore(style, beforeId, layer) {
  const at = layerIndex(style, beforeId);
  if (at < 0) style.layers.push(layer);
  else style.layers.splice(at, 0, layer);
}

/** The served style plus the viewer's layers: constraint borders, the gaps' hatching, highlights. */
function viewerStyle(style, constraints) {
  // Coverage gaps hatched in red, so that they read as gaps over any network colour.
  const fill = style.layers.find((layer) => layer.id === 'networks-fill');
  // The hatched layer joins once the style has loaded and its pattern is registered (addGapHatching):
  // tiles laid out before the image existed would have no hatching, cut off along straight tile edges.
  const gapsAt = layerIndex(style, 'gaps-fill');
  viewer.gapsLayer = null;
  if (gapsAt >= 0) {
    const [gaps] = style.layers.splice(gapsAt, 1);
    gaps.paint = { 'fill-pattern': GAP_PATTERN };
    viewer.gapsLayer = { layer: gaps, before: style.layers[gapsAt]?.id };
  }
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
  // Accessibility by area, over the networks, off until the layer switcher turns it on.
  const afterFill = style.layers[layerIndex(style, 'networks-fill') + 1]?.id;
  if (layerIndex(style, 'networks-fill') >= 0) insertBefore(style, afterFill, accessibilityLayer(viewer.medianAccess));
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
    id: 'practice-highlight', type: 'circle', source: SOURCE, 'source-layer': 'practices', filter: ['==', ['get', 'practice_code'], ''],
    paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#000000', 'circle-stroke-width': 3 },
  });
  whatIfLayers(style, add);
  return style;
}

/** The plan document; an unknown ?plan= (e.g. an old link after a restart) gives the served plan. */
async function planDocument() {
  try {
    return await api(`/plans/${encodeURIComponent(viewer.planId)}`);
  } catch (error) {
    if (error.status !== 404 || viewer.planId === 'default') throw error;
    showMessage(`${error.message}: showing the served plan.`);
    setPlan('default');
    return api('/plans/default');
  }
}

/** Fills the panel from a plan document and returns the plan's style with the viewer's layers. */
async function loadPlan(doc) {
  const [style, practices] = await Promise.all([
    api(`${planPrefix()}/style.json`), api(`${planPrefix()}/collections/practices/items?limit=10000`),
  ]);
  const { report } = doc;
  viewer.networks = new Map(report.networks.map((n) => [n.network_id, n]));
  viewer.practices = new Map(practices.features.map((f) => [f.properties.practice_code, f.properties]));
  viewer.band = [report.options.min_list_size, report.options.max_list_size];
  viewer.medianAccess = Number(report.gaps?.accessibility?.median_per_1000) || 0;
  $('plan-min').value = report.options.min_list_size;
  $('plan-max').value = report.options.max_list_size;
  $('plan-constraint').value = report.options.constraint_field;
  $('plan-id').textContent = doc.id === 'default' ? '(served plan)' : `(plan ${doc.id})`;
  const url = `/plans/${encodeURIComponent(doc.id)}`;
  $('report-source').innerHTML = `From <a href="${escapeHtml(url)}">GET ${escapeHtml(url)}</a>.`;
  renderReport($('report'), report.summary.plan, report.gaps, viewer.band);
  renderHistogram($('histogram'), report.networks.map((n) => n.list_size), viewer.band);
  const constraints = new Map(report.networks.filter((n) => n.constraint_value).map((n) => [n.network_id, n.constraint_value]));
  const styled = viewerStyle(style, constraints);
  const fill = styled.layers.find((layer) => layer.id === 'networks-fill');
  renderLegend($('legend'), JSON.stringify(fill?.paint['fill-color'] ?? []).match(/#[0-9a-f]{6}/gi) ?? []);
  return styled;
}

/** A network's figures: from the plan report, else from a tile feature (the same field names). */
function networkHtml(network, fallback) {
  const n = network ?? fallback ?? {};
  const members = (n.practices ?? []).map((code) => {
    const p = viewer.practices.get(code);
    return `<li>${escapeHtml(code)}${p ? ` ${escapeHtml(p.practice_name)} <span class="muted">(${formatNumber(p.list_size)})</span>` : ''}</li>`;
  });
  const status = n.status ?? fallback?.status;
  return `<h4>Network <span class="network-id">${escapeHtml(n.network_id)}</span>: <span class="network-name">${escapeHtml(n.network_name)}</span></h4>
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
  map.setFilter('practice-highlight', ['==', ['get', 'practice_code'], practiceCode ?? '']);
}

async function selectPractice(feature, lngLat) {
  const p = feature.properties;
  const network = viewer.networks.get(p.network_id);
  const practice = viewer.practices.get(p.practice_code);
  openPopup(lngLat, `<div class="popup"><h3>${escapeHtml(p.practice_name)} <span class="muted">${escapeHtml(p.practice_code)}</span></h3>
<p>List size <strong>${formatNumber(p.list_size)}</strong>${practice?.reference_network ? ` · real PCN ${escapeHtml(practice.reference_network)}` : ''}</p>
${p.excluded ? '<p class="status-excluded">In no network: excluded from the plan.</p>' : networkHtml(network, { network_id: p.network_id, network_name: p.network_name, status: p.network_status })}</div>`);
  highlight(p.network_id, p.practice_code);
  viewer.selectedCode = p.practice_code;
  const catchment = await api(`${planPrefix()}/practices/${encodeURIComponent(p.practice_code)}/catchment`);
  // Another practice or plan may have been chosen since.
  if (viewer.selectedCode === p.practice_code) viewer.map.getSource('selection')?.setData(catchment);
}

function selectNetwork(feature, lngLat) {
  const n = feature.properties;
  openPopup(lngLat, `<div class="popup">${networkHtml(viewer.networks.get(n.network_id), n)}</div>`);
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

/** Registers the hatch pattern, then adds the gaps layer that uses it (after every style load). */
function addGapHatching(map) {
  if (!map.hasImage(GAP_PATTERN)) map.addImage(GAP_PATTERN, hatchImage());
  const gaps = viewer.gapsLayer;
  if (gaps && !map.getLayer(gaps.layer.id)) map.addLayer(gaps.layer, gaps.before && map.getLayer(gaps.before) ? gaps.before : undefined);
}

/** The Authorization header for the token typed in the panel, if any. */
function authHeaders() {
  const token = $('plan-token').value.trim();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Shows plan `id` (a stored plan or 'default'): its report, style and tiles; resolves once the style is set. */
async function showPlan(id) {
  setPlan(id);
  const style = await loadPlan(await planDocument());
  viewer.popup?.remove();
  viewer.selectedCode = null;
  const loaded = new Promise((resolve) => viewer.map.once('style.load', resolve));
  // A full reload, not a diff: the hatch pattern, the switcher's visibility and the comparison are set again on style.load.
  viewer.map.setStyle(style, { diff: false });
  await loaded;
  renderLayerSwitcher(viewer, viewer.medianAccess);
  showMessage('');
}

const app = { viewer, api, showPlan, authHeaders, renderPlans: () => renderPlanList(app) };

function wireMap(map) {
  map.on('style.load', () => {
    addGapHatching(map);
    applyLayerVisibility(viewer);
    applyComparison(viewer);
  });
  map.on('click', (event) => {
    const hits = map.queryRenderedFeatures(event.point, { layers: ['practices-circle'] });
    if (viewer.whatIf?.onMapClick(event, hits[0])) return;
    if (hits.length > 0) {
      selectPractice(hits[0], event.lngLat).catch((error) => showMessage(`Catchment: ${error.message}`));
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
  const headers = { 'Content-Type': 'application/json', ...authHeaders() };
  $('plan-button').disabled = true;
  showStatus(status, 'Planning…');
  try {
    const doc = await api('/plans', { method: 'POST', headers, body: JSON.stringify(body) });
    viewer.comparison = null;
    await showPlan(doc.id);
    showStatus(status, `Showing plan ${doc.id}.`);
    renderPlanList(app);
  } catch (error) {
    const refused = error instanceof ApiError ? `The server refused (HTTP ${error.status}): ` : 'Planning failed: ';
    showStatus(status, refused + error.message, true);
  } finally {
    $('plan-button').disabled = false;
  }
}

async function submitGaps(event) {
  event.preventDefault();
  const status = $('gap-status');
  const distance = $('gap-distance').value;
  try {
    const gaps = await api(`${planPrefix()}/gaps?max_distance_m=${encodeURIComponent(distance)}`);
    viewer.map.getSource('gap-query')?.setData(gaps);
    const s = gaps.summary;
    showStatus(status, `${formatNumber(s.people)} people in ${formatNumber(s.areas)} areas farther than ${formatNumber(s.thresholds.urban_distance_m)} m from every practice or outside every network.`);
  } catch (error) {
    showStatus(status, error.message, true);
  }
}

async function start() {
  const style = await loadPlan(await planDocument());
  $('dataset-name').textContent = style.name ?? '';
  // Opens on the dataset's extent (TileJSON's bounds), unless the address says where to look.
  const bounds = window.location.hash ? null : (await api(style.sources[SOURCE].url)).bounds;
  const map = new maplibregl.Map({
    container: 'map', style, hash: true, attributionControl: { compact: false },
    ...(bounds ? { bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]], fitBoundsOptions: { padding: 24 } } : {}),
  });
  viewer.map = map;
  viewer.datasetBounds = bounds;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  // Top left: the attribution, in full, takes the bottom edge.
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'top-left');
  map.once('idle', () => { viewer.firstIdleMs = performance.now(); });
  wireMap(map);
  $('plan-form').addEventListener('submit', submitPlan);
  $('gap-form').addEventListener('submit', submitGaps);
  renderLayerSwitcher(viewer, viewer.medianAccess);
  initWhatIf(app);
  renderPlanList(app);
}

viewer.ready = start().catch((error) => {
  showMessage(`The viewer could not start: ${error.message ?? error}`);
  throw error;
});
