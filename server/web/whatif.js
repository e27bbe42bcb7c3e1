// What-if mode: close practices and open new ones on the map, re-plan from the plan shown (POST /plans with
// it as the baseline, so that only what must change changes), then compare: the changed networks outlined,
// the moved practices marked and listed, list sizes before and after, all from GET /plans/{id}/diff.
import { escapeHtml, formatNumber } from '/web/panel.js';

const $ = (id) => document.getElementById(id);

/**
 * Wires the What-if section. `app` gives what it needs of the viewer: `viewer` (map, planId, practices, band),
 * `api(url, options)`, `showPlan(id)` (loads and shows a plan, resolving when its style is set) and
 * `authHeaders()`.
 */
export function initWhatIf(app) {
  const { viewer } = app;
  const state = { editing: false, closed: new Map(), opened: [], pending: null, next: 1 };
  viewer.whatIf = state;
  const toggle = $('whatif-toggle');
  const form = $('whatif-new');

  const render = () => {
    const items = [
      ...[...state.closed].map(([code, name]) => `<li>Close <strong>${escapeHtml(name)}</strong> <span class="muted">${escapeHtml(code)}</span>
        <button type="button" class="link" data-undo-close="${escapeHtml(code)}" aria-label="Keep ${escapeHtml(name)} open">undo</button></li>`),
      ...state.opened.map((p, i) => `<li>Open <strong>${escapeHtml(p.name)}</strong> <span class="muted">(up to ${formatNumber(p.list_size)} patients, drawn from its neighbours)</span>
        <button type="button" class="link" data-undo-open="${i}" aria-label="Do not open ${escapeHtml(p.name)}">undo</button></li>`),
    ];
    $('whatif-changes').innerHTML = items.join('');
    $('whatif-run').disabled = items.length === 0;
    const map = viewer.map;
    if (map?.getSource('whatif')) {
      map.getSource('whatif').setData({
        type: 'FeatureCollection',
        features: state.opened.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { name: p.name } })),
      });
      map.setFilter('whatif-closed', ['in', ['get', 'practice_code'], ['literal', [...state.closed.keys()]]]);
    }
  };
  state.render = render;

  const setEditing = (on) => {
    state.editing = on;
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Stop editing' : 'Edit on the map';
    $('whatif-hint').hidden = !on;
    if (!on) {
      form.hidden = true;
      state.pending = null;
    }
    if (viewer.map) viewer.map.getCanvas().style.cursor = on ? 'crosshair' : '';
  };
  toggle.addEventListener('click', () => setEditing(!state.editing));

  $('whatif-changes').addEventListener('click', (event) => {
    const close = event.target.closest('[data-undo-close]');
    const open = event.target.closest('[data-undo-open]');
    if (close) state.closed.delete(close.dataset.undoClose);
    if (open) state.opened.splice(Number(open.dataset.undoOpen), 1);
    render();
  });

  /** A map click in editing mode: a practice closes; anywhere else a new practice is proposed there. */
  state.onMapClick = (event, practice) => {
    if (!state.editing) return false;
    if (practice) {
      const p = practice.properties;
      if (state.closed.has(p.practice_code)) state.closed.delete(p.practice_code);
      else state.closed.set(p.practice_code, p.practice_name);
      render();
      return true;
    }
    state.pending = { lon: event.lngLat.lng, lat: event.lngLat.lat };
    $('whatif-where').textContent = `At ${state.pending.lat.toFixed(5)}, ${state.pending.lon.toFixed(5)}`;
    form.hidden = false;
    $('whatif-name').focus();
    return true;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!state.pending) return;
    const name = $('whatif-name').value.trim() || 'New practice';
    state.opened.push({ code: `NEW${state.next}`, name, list_size: Number($('whatif-list').value) || 0, ...state.pending });
    state.next += 1;
    state.pending = null;
    form.hidden = true;
    render();
  });
  $('whatif-cancel').addEventListener('click', () => {
    state.pending = null;
    form.hidden = true;
  });

  $('whatif-run').addEventListener('click', async () => {
    const status = $('whatif-status');
    const baseline = viewer.planId;
    const body = {
      baseline,
      min_list_size: viewer.band[0],
      max_list_size: viewer.band[1],
      constraint_field: $('plan-constraint').value.trim(),
      excluded_practices: [...state.closed.keys()],
      new_practices: state.opened.map(({ code, name, lon, lat, list_size }) => ({ code, name, lon, lat, list_size })),
      title: `What-if from ${baseline}: close ${state.closed.size}, open ${state.opened.length}`,
    };
    $('whatif-run').disabled = true;
    status.textContent = 'Re-planning…';
    status.classList.remove('error');
    try {
      const doc = await app.api('/plans', { method: 'POST', headers: { 'Content-Type': 'application/json', ...app.authHeaders() }, body: JSON.stringify(body) });
      const diff = await app.api(`/plans/${encodeURIComponent(doc.id)}/diff?against=${encodeURIComponent(baseline)}`);
      await app.showPlan(doc.id);
      state.closed.clear();
      state.opened = [];
      setEditing(false);
      render();
      showComparison(app, baseline, doc.id, diff);
      app.renderPlans();
      status.textContent = `Showing what-if plan ${doc.id}, compared with ${baseline}.`;
    } catch (error) {
      status.textContent = `The what-if failed: ${error.message}`;
      status.classList.add('error');
    } finally {
      $('whatif-run').disabled = state.closed.size + state.opened.length === 0;
    }
  });
  render();
}

/**
 * The viewer's layers for what-ifs (added to each style): proposed sites, closing practices, and the comparison.
 * `addUnderPractices` puts a layer under the practices' circles.
 */
export function whatIfLayers(style, addUnderPractices) {
  style.sources.whatif = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  addUnderPractices({ id: 'changed-networks-line', type: 'line', source: 'catchment', 'source-layer': 'networks', filter: ['in', ['get', 'network_id'], ['literal', []]],
    layout: { 'line-join': 'round' }, paint: { 'line-color': '#e66101', 'line-width': 4 } });
  style.layers.push({ id: 'moved-practices', type: 'circle', source: 'catchment', 'source-layer': 'practices', filter: ['in', ['get', 'practice_code'], ['literal', []]],
    paint: { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e66101', 'circle-stroke-width': 3 } });
  style.layers.push({ id: 'whatif-closed', type: 'circle', source: 'catchment', 'source-layer': 'practices', filter: ['in', ['get', 'practice_code'], ['literal', []]],
    paint: { 'circle-radius': 10, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#b10026', 'circle-stroke-width': 3 } });
  style.layers.push({ id: 'whatif-new', type: 'circle', source: 'whatif',
    paint: { 'circle-radius': 8, 'circle-color': '#1b7837', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
}

/** The compare panel and the map's highlights from a diff (GET /plans/{id}/diff?against=baseline). */
export function showComparison(app, baseline, planId, diff) {
  const { viewer } = app;
  const changed = diff.networks.filter((n) => n.change !== 'dissolved');
  const moved = diff.moved_practices;
  viewer.comparison = { baseline, planId, diff, changedIds: changed.map((n) => n.network_id), movedCodes: moved.map((m) => m.practice) };
  applyComparison(viewer);
  const s = diff.summary;
  const name = (code) => viewer.practices.get(code)?.practice_name ?? code;
  const rows = diff.networks.map((n) => `<tr><th scope="row">${escapeHtml(n.network_id)}</th><td>${escapeHtml(n.change)}</td>
    <td class="number">${n.list_size_before == null ? '–' : formatNumber(n.list_size_before)}</td>
    <td class="number">${n.list_size_after == null ? '–' : formatNumber(n.list_size_after)}</td></tr>`);
  const url = `/plans/${encodeURIComponent(planId)}/diff?against=${encodeURIComponent(baseline)}`;
  $('compare').innerHTML = `<h3>Compared with ${escapeHtml(baseline)}</h3>
<p class="small" id="compare-summary">${formatNumber(s.moved)} practices moved, ${formatNumber(s.changed)} networks changed, ${formatNumber(s.created)} created,
${formatNumber(s.dissolved)} dissolved, ${formatNumber(s.unchanged)} unchanged; ${formatNumber(s.added)} opened, ${formatNumber(s.removed)} closed.</p>
${rows.length ? `<table class="compare"><caption class="small muted">Networks that changed (list size before and after)</caption>
<thead><tr><th scope="col">Network</th><th scope="col">Change</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>` : ''}
${moved.length ? `<h4>Moved practices</h4><ul class="members" id="compare-moved">${moved.map((m) => `<li>${escapeHtml(m.practice)} ${escapeHtml(name(m.practice))}: ${escapeHtml(m.from)} → ${escapeHtml(m.to)}</li>`).join('')}</ul>` : ''}
<p class="small">From <a href="${escapeHtml(url)}">GET ${escapeHtml(url)}</a>.
<button type="button" class="link" id="compare-baseline">Show ${escapeHtml(baseline)}</button></p>`;
  $('compare').hidden = false;
  $('compare-baseline').addEventListener('click', async (event) => {
    const showing = viewer.planId === planId;
    await app.showPlan(showing ? baseline : planId);
    event.target.textContent = `Show ${showing ? planId : baseline}`;
    app.renderPlans();
  });
}

/** Sets the comparison's filters on the current style (after every style change). */
export function applyComparison(viewer) {
  const map = viewer.map;
  const c = viewer.comparison;
  if (!map || !map.getLayer('changed-networks-line')) return;
  map.setFilter('changed-networks-line', ['in', ['get', 'network_id'], ['literal', c ? c.changedIds : []]]);
  map.setFilter('moved-practices', ['in', ['get', 'practice_code'], ['literal', c ? c.movedCodes : []]]);
  viewer.whatIf?.render();
}
