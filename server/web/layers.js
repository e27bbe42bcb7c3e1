// The layer switcher, the accessibility choropleth (E2SFCA, relative to the plan's median) and its legend,
// and the list of stored plans (GET /plans) with their downloads.
import { escapeHtml, formatNumber } from '/web/panel.js';

const $ = (id) => document.getElementById(id);

/** Style layers by what a planner switches on and off. */
export const LAYER_GROUPS = [
  { id: 'networks', label: 'Networks', layers: ['networks-fill'], visible: true },
  { id: 'borders', label: 'Network borders', layers: ['network-borders-line', 'constraint-borders-line'], visible: true },
  { id: 'practices', label: 'Practices', layers: ['practices-dot', 'practices-circle'], visible: true },
  { id: 'catchments', label: 'Catchments', layers: ['catchments-line', 'catchment-labels-dots'], visible: true },
  { id: 'gaps', label: 'Coverage gaps', layers: ['gaps-fill', 'gaps-line'], visible: true },
  { id: 'labels', label: 'Labels', layers: ['group-labels', 'network-labels', 'practices-label'], visible: true },
  { id: 'access', label: 'Accessibility (from zoom 11)', layers: ['access-fill'], visible: false },
];

// Accessibility as a share of the plan's median (ColorBrewer RdYlBu, 6 classes; red is poor access). Each
// class's upper bound; the last is open.
const ACCESS_CLASSES = [
  { upTo: 0.5, colour: '#d73027', label: 'under half the median' },
  { upTo: 0.8, colour: '#fc8d59', label: '50–80% of it' },
  { upTo: 1.0, colour: '#fee090', label: '80–100%' },
  { upTo: 1.2, colour: '#e0f3f8', label: '100–120%' },
  { upTo: 1.5, colour: '#91bfdb', label: '120–150%' },
  { upTo: Infinity, colour: '#4575b4', label: 'over 150%' },
];

/** The choropleth layer over the networks: areas coloured by accessibility / median. */
export function accessibilityLayer(median) {
  const ratio = ['/', ['to-number', ['get', 'accessibility'], 0], Math.max(median, 1e-9)];
  const step = ['step', ratio, ACCESS_CLASSES[0].colour];
  for (let i = 1; i < ACCESS_CLASSES.length; i += 1) step.push(ACCESS_CLASSES[i - 1].upTo, ACCESS_CLASSES[i].colour);
  return {
    id: 'access-fill', type: 'fill', source: 'catchment', 'source-layer': 'areas', minzoom: 11,
    layout: { visibility: 'none' }, paint: { 'fill-color': step, 'fill-opacity': 0.85, 'fill-outline-color': 'rgba(0,0,0,0)' },
  };
}

/** The switcher's checkboxes, one per group, each with its legend line where it has one. */
export function renderLayerSwitcher(viewer, median) {
  const list = $('layers');
  const accessLegend = `<ul class="legend access-legend" aria-label="Accessibility classes">${ACCESS_CLASSES.map((c, i) => {
    const low = i === 0 ? 0 : ACCESS_CLASSES[i - 1].upTo * median;
    const high = c.upTo * median;
    const range = Number.isFinite(high) ? `${formatNumber(low)}–${formatNumber(high)}` : `over ${formatNumber(low)}`;
    return `<li><span class="box" style="background:${c.colour};border-color:#8c8c8c"></span><span>${escapeHtml(range)} <span class="muted">(${escapeHtml(c.label)})</span></span></li>`;
  }).join('')}</ul><p class="muted small">Practice list size per 1,000 residents within reach (E2SFCA); median ${formatNumber(median)}.</p>`;
  list.innerHTML = LAYER_GROUPS.map((g) => `<li><label class="check"><input type="checkbox" data-group="${g.id}" ${viewer.layerVisible[g.id] ? 'checked' : ''}>
    ${escapeHtml(g.label)}</label>${g.id === 'access' ? accessLegend : ''}</li>`).join('');
  list.querySelectorAll('input[data-group]').forEach((box) => box.addEventListener('change', () => {
    viewer.layerVisible[box.dataset.group] = box.checked;
    applyLayerVisibility(viewer);
  }));
}

/** Shows and hides the style's layers by the switcher (after every style change too). */
export function applyLayerVisibility(viewer) {
  const map = viewer.map;
  if (!map) return;
  for (const group of LAYER_GROUPS) {
    for (const layer of group.layers) {
      if (map.getLayer(layer)) map.setLayoutProperty(layer, 'visibility', viewer.layerVisible[group.id] ? 'visible' : 'none');
    }
  }
}

/** GET /plans as a list: each plan's title, whether it is shown, a link to show it and its GeoPackage. */
export async function renderPlanList(app) {
  const list = $('plans-list');
  try {
    const { plans } = await app.api('/plans');
    list.innerHTML = plans.filter((p) => !p.stale).map((p) => {
      const id = p.id === 'default' ? 'default' : p.id;
      const download = (p.links ?? []).find((l) => l.rel === 'enclosure');
      const shown = id === app.viewer.planId;
      return `<li${shown ? ' aria-current="true"' : ''}><button type="button" class="link" data-plan="${escapeHtml(id)}">${escapeHtml(p.title || id)}</button>
        ${shown ? '<span class="muted">(shown)</span>' : ''}
        ${download ? `<a href="${escapeHtml(download.href)}" download>GeoPackage</a>` : ''}</li>`;
    }).join('');
    list.querySelectorAll('button[data-plan]').forEach((button) => button.addEventListener('click', async () => {
      await app.showPlan(button.dataset.plan);
      renderPlanList(app);
    }));
  } catch (error) {
    list.innerHTML = `<li class="error">${escapeHtml(error.message)}</li>`;
  }
}
