// The side panel: the quality report, the list-size histogram and the legend. Pure DOM building from
// plain data (a plan document's report, the style's palette); app.js fetches them.

const numberFormat = new Intl.NumberFormat('en-GB');
export const formatNumber = (value) => (Number.isFinite(Number(value)) ? numberFormat.format(Math.round(Number(value))) : '–');
export const formatPercent = (share) => (Number.isFinite(Number(share)) ? `${(Number(share) * 100).toFixed(1)}%` : '–');

/** Escapes text for HTML. */
export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export const STATUS_COLOURS = { in_band: '#08306b', below_band: '#fd8c3c', above_band: '#d7301f' };
export const STATUS_LABELS = { in_band: 'in band', below_band: 'below band', above_band: 'above band' };

/** Fills the report's figures from a plan document's report.summary.plan and report.gaps {people_in_gaps, gap_areas}. */
export function renderReport(element, summary, gaps, band) {
  const rows = [
    ['Networks', formatNumber(summary.networks)],
    [`In band (${formatNumber(band[0])}–${formatNumber(band[1])})`, `${formatNumber(summary.in_band)} (${formatPercent(summary.share_in_band)})`],
    ['Outside it: forced, not reached', `${formatNumber(summary.forced_out_of_band)}, ${formatNumber(summary.not_reached)}`],
    ['Smallest list size', formatNumber(summary.min_size)],
    ['Median list size', formatNumber(summary.median_size)],
    ['Largest list size', formatNumber(summary.max_size)],
    ['Cohesion', formatPercent(summary.cohesion)],
    ['Mean Polsby-Popper', Number.isFinite(Number(summary.mean_polsby_popper)) ? Number(summary.mean_polsby_popper).toFixed(2) : '–'],
    ['Not contiguous', formatNumber(summary.non_contiguous)],
  ];
  if (gaps) rows.push([`People in coverage gaps (${formatNumber(gaps.gap_areas)} areas)`, formatNumber(gaps.people_in_gaps)]);
  element.replaceChildren(
    ...rows.flatMap(([label, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

/** An SVG histogram of list sizes in 5,000-patient bins, the band shaded and bars coloured by band status. */
export function renderHistogram(element, sizes, band) {
  const binWidth = 5000;
  const top = Math.max(band[1] + binWidth, ...sizes);
  const bins = new Array(Math.ceil(top / binWidth)).fill(0);
  for (const size of sizes) bins[Math.min(bins.length - 1, Math.floor(size / binWidth))] += 1;
  const width = 280;
  const height = 110;
  const barArea = height - 22;
  const most = Math.max(1, ...bins);
  const pad = 8;
  const x = (value) => pad + (value / (bins.length * binWidth)) * (width - 2 * pad);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const add = (name, attributes, text) => {
    const node = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  };
  add('rect', { x: x(band[0]), y: 0, width: x(band[1]) - x(band[0]), height: barArea, class: 'band' });
  bins.forEach((count, i) => {
    if (count === 0) return;
    const low = i * binWidth;
    const status = low + binWidth <= band[0] ? 'below_band' : low >= band[1] ? 'above_band' : 'in_band';
    const barHeight = (count / most) * (barArea - 4);
    const bar = add('rect', { x: x(low) + 0.5, y: barArea - barHeight, width: Math.max(1, x(low + binWidth) - x(low) - 1), height: barHeight, fill: STATUS_COLOURS[status] });
    bar.appendChild(document.createElementNS(ns, 'title')).textContent = `${formatNumber(low)}–${formatNumber(low + binWidth)}: ${count} networks`;
  });
  for (let tick = 0; tick <= bins.length * binWidth; tick += 20000) {
    add('text', { x: x(tick), y: height - 6, class: 'tick' }, tick === 0 ? '0' : `${tick / 1000}k`);
  }
  element.replaceChildren(svg);
}

/** The legend: network fills, borders, practices by status and size, gaps and the selection. */
export function renderLegend(element, palette) {
  const items = [
    [`<span class="swatches">${palette.slice(0, 6).map((c) => `<i style="background:${c}"></i>`).join('')}</span>`, 'Network (neighbours never share a colour)'],
    ['<span class="line" style="border-color:#1a1a1a"></span>', 'Border between networks'],
    ['<span class="line thick" style="border-color:#5a2d82"></span>', 'Border between constraint areas (e.g. boroughs)'],
    ...Object.entries(STATUS_COLOURS).map(([status, colour]) => [`<span class="dot" style="background:${colour}"></span>`, `Practice; its network ${STATUS_LABELS[status]}`]),
    ['<span class="dot small"></span><span class="dot large"></span>', 'Circle area grows with list size'],
    ['<span class="box hatched"></span>', 'Coverage gap (at the plan’s gap distance)'],
    ['<span class="box" style="background:rgba(106,61,154,0.3);border:1px dashed #6a3d9a"></span>', 'Gaps at the distance you chose'],
    ['<span class="box" style="background:rgba(255,215,0,0.35);border-color:#e6a800"></span>', 'Selected practice’s catchment'],
  ];
  element.innerHTML = items.map(([symbol, label]) => `<li>${symbol}<span>${escapeHtml(label)}</span></li>`).join('');
}
