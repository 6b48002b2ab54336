// The Edgewise dashboard. Reads the collector's JSON read API with the app's read key (sessionStorage:
// this tab only; sent as a header, never in a URL) and draws with uPlot. Text from the API is only
// ever set with textContent: device-chosen names (models, features, backends) cannot inject markup.
'use strict';
const KEY = 'edgewise-read-key';
const $ = (id) => document.getElementById(id);
const keyInput = $('key');
const out = $('out');
const PALETTE = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00', '#b82e2e', '#316395'];

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

async function get(path) {
  const r = await fetch(path, { headers: { authorization: 'Bearer ' + keyInput.value } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status });
  return body;
}

const q = (params) => new URLSearchParams(params).toString();
const fmt = (v, digits = 3) => (v === undefined || v === null ? '–' : Number(v).toFixed(digits));

/** A uPlot time-series chart; x in window starts (ms), y series with nulls where a window is withheld. */
function timeChart(parent, { title, name, xs, series, threshold, yLabel, dataset }) {
  const box = el('div', { 'data-chart': name, 'data-points': xs.length, ...dataset });
  box.append(el('h3', {}, title));
  parent.append(box);
  const data = [xs.map((x) => x / 1000), ...series.map((s) => s.values)];
  const uSeries = [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2, spanGaps: false, points: { show: true, size: 5 } }))];
  if (threshold !== undefined) {
    data.push(xs.map(() => threshold));
    uSeries.push({ label: 'threshold', stroke: '#e99', dash: [4, 4], width: 1, points: { show: false } });
  }
  // eslint-disable-next-line no-undef
  new uPlot({ width: 560, height: 190, scales: { x: { time: true } }, axes: [{}, { label: yLabel, size: 60 }], series: uSeries }, data, box);
  return box;
}

function barChart(parent, labels, series) {
  const xs = labels.map((_, i) => i);
  // eslint-disable-next-line no-undef
  const bars = uPlot.paths.bars({ size: [0.4, 40], align: 0 });
  const uSeries = [{}, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i], fill: PALETTE[i] + '88', paths: bars, points: { show: false } }))];
  // eslint-disable-next-line no-undef
  new uPlot({ width: 640, height: 240, scales: { x: { time: false } }, axes: [{ values: (_u, ticks) => ticks.map((t) => labels[t] ?? '') }, { label: 'share' }], series: uSeries }, [xs, ...series.map((s) => s.values)], parent);
}

const released = (s) => s.windows.filter((w) => !w.withheld);
const pick = (s, f) => s.windows.map((w) => (w.withheld ? null : (f(w) ?? null)));
const featuresOf = (s) => [...new Set(released(s).flatMap((w) => (w.drift || []).map((d) => d.feature)))].sort();
const maxDrift = (w) => (w.drift && w.drift.length ? Math.max(...w.drift.map((d) => d.jensenShannon)) : undefined);

function versionSection(series, parent) {
  const xs = series.windows.map((w) => w.start);
  const sec = el('section', { 'data-model': series.model, 'data-version': series.version });
  // Privacy on: windows carry their release's noisy device count instead of exact reports.
  const exact = series.windows.every((w) => w.reports !== undefined);
  const reports = series.windows.reduce((a, w) => a + (exact ? w.reports : w.devices ?? 0), 0);
  sec.append(el('h2', {}, `${series.model} ${series.version} `, el('span', { class: 'muted' }, `(${reports} ${exact ? 'reports' : 'devices, noisy'}, ${series.windows.length} windows)`)));
  if (series.note) sec.append(el('p', { class: 'muted small', 'data-note': '' }, 'Note: ' + series.note));
  const withheld = series.windows.filter((w) => w.withheld);
  for (const w of withheld) sec.append(el('div', { class: 'withheld', 'data-withheld': w.start }, `${new Date(w.start).toISOString()}: withheld: ${w.withheld}`));
  if (!series.windows.length) sec.append(el('p', { class: 'muted' }, 'No closed windows yet.'));
  if (!released(series).length) {
    parent.append(sec);
    return;
  }
  const grid = el('div', { class: 'grid' });
  sec.append(grid);
  const features = featuresOf(series);
  if (!series.baseline) grid.append(el('p', { class: 'muted' }, 'No baseline registered for this version: no drift.'));
  else {
    const driftSeries = features.map((f) => ({ label: f, values: pick(series, (w) => (w.drift || []).find((d) => d.feature === f)?.jensenShannon) }));
    const box = timeChart(grid, { title: 'Drift per feature (Jensen-Shannon)', name: 'drift', xs, series: driftSeries, threshold: 0.1, yLabel: 'JS distance', dataset: { 'data-series': JSON.stringify(driftSeries.map((s) => ({ feature: s.label, values: s.values }))) } });
    const drill = el('p', { class: 'small' }, 'Drill down: ');
    for (const f of features) {
      const b = el('button', { class: 'feature', type: 'button', 'data-feature': f }, f);
      b.addEventListener('click', () => drillDown(series, f));
      drill.append(b);
    }
    box.append(drill);
  }
  timeChart(grid, { title: 'Runs, errors, rejected inputs, fallbacks', name: 'counters', xs, yLabel: 'per window', series: ['runs', 'errors', 'rejected', 'fallbacks'].map((k) => ({ label: k, values: pick(series, (w) => w[k]) })) });
  const backends = [...new Set(released(series).flatMap((w) => Object.keys(w.backends || {})))].sort();
  timeChart(grid, { title: 'Runs per backend', name: 'backends', xs, yLabel: 'runs', series: backends.map((b) => ({ label: b, values: pick(series, (w) => (w.backends || {})[b] ?? 0) })) });
  timeChart(grid, { title: 'Latency', name: 'latency', xs, yLabel: 'ms', series: ['p50', 'p95', 'p99'].map((p) => ({ label: p, values: pick(series, (w) => w.latencyMs && w.latencyMs[p]) })) });
  timeChart(grid, { title: 'Confidence', name: 'confidence', xs, yLabel: 'confidence', series: [{ label: 'mean', values: pick(series, (w) => w.confidence && w.confidence.mean) }, { label: 'median', values: pick(series, (w) => w.confidence && w.confidence.p50) }] });
  // Series the collector adds later (accuracy from labels, shadow agreement, canary outcomes): one chart each.
  const others = [...new Set(released(series).flatMap((w) => Object.keys(w.other || {})))].sort();
  for (const name of others) timeChart(grid, { title: name, name: 'other-' + name, xs, yLabel: name, series: [{ label: name, values: pick(series, (w) => (w.other || {})[name]) }] });
  parent.append(sec);
}

async function drillDown(series, feature) {
  const last = released(series).at(-1);
  const [baseline, current] = await Promise.all([
    get(`/v1/baselines/${encodeURIComponent(series.model)}/${encodeURIComponent(series.version)}`),
    get('/v1/drift?' + q({ model: series.model, version: series.version, from: last.start, to: last.end })),
  ]);
  const base = baseline.features[feature];
  const cur = current.histograms ? current.histograms[feature] : undefined;
  $('drill-title').textContent = `${series.model} ${series.version} · ${feature}: baseline vs window ${new Date(last.start).toISOString()}`;
  const chart = $('drill-chart');
  chart.replaceChildren();
  chart.dataset.feature = feature;
  if (!base || !cur) {
    chart.append(el('p', { class: 'withheld' }, current.withheld ? 'withheld: ' + current.reason : 'no counts for this feature'));
  } else {
    const labels = base.kind === 'numeric' ? base.counts.map((_, i) => (i === 0 ? '≤' + base.edges[0] : i >= base.edges.length ? '>' + base.edges.at(-1) : '≤' + base.edges[i])) : Object.keys(base.counts);
    const baseCounts = base.kind === 'numeric' ? base.counts : labels.map((k) => base.counts[k] || 0);
    const curCounts = Array.isArray(cur) ? cur : labels.map((k) => cur[k] || 0);
    const share = (c) => {
      const t = c.reduce((a, b) => a + b, 0) || 1;
      return c.map((v) => v / t);
    };
    barChart(chart, labels, [{ label: 'baseline', values: share(baseCounts) }, { label: 'current', values: share(curCounts) }]);
  }
  $('drill-note').textContent = current.noise ? `Current counts carry Laplace noise (ε = ${current.noise.epsilon}).` : '';
  $('drill').showModal();
}

function compare(all) {
  const byModel = new Map();
  for (const s of all) byModel.set(s.model, [...(byModel.get(s.model) || []), s]);
  const models = [...byModel.keys()].filter((m) => byModel.get(m).length >= 2);
  if (!models.length) return;
  $('compare').hidden = false;
  const [ms, a, b] = [$('cmp-model'), $('cmp-a'), $('cmp-b')];
  ms.replaceChildren(...models.map((m) => el('option', {}, m)));
  const fill = () => {
    const versions = byModel.get(ms.value).map((s) => s.version);
    a.replaceChildren(...versions.map((v) => el('option', {}, v)));
    b.replaceChildren(...versions.map((v) => el('option', {}, v)));
    a.value = versions.at(-2);
    b.value = versions.at(-1);
  };
  const draw = () => {
    const side = (v) => byModel.get(ms.value).find((s) => s.version === v);
    const target = $('cmp-out');
    target.replaceChildren();
    for (const s of [side(a.value), side(b.value)]) {
      const col = el('div', { 'data-compare': s.version });
      const r = released(s);
      const sum = (k) => r.reduce((t, w) => t + (w[k] || 0), 0);
      const last = r.at(-1);
      const rows = [
        ['windows released', r.length + ' of ' + s.windows.length],
        ['runs', sum('runs')],
        ['error rate', fmt(sum('errors') / (sum('runs') || 1), 4)],
        ['fallback rate', fmt(sum('fallbacks') / (sum('runs') || 1), 4)],
        ['latest p99 latency, ms', fmt(last && last.latencyMs.p99, 1)],
        ['latest max drift (JS)', fmt(last && maxDrift(last))],
      ];
      col.append(el('h3', {}, `${s.model} ${s.version}`), el('table', {}, ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { 'data-metric': k }, String(v))))));
      timeChart(col, { title: 'Max drift per window', name: 'compare-drift', xs: s.windows.map((w) => w.start), yLabel: 'JS', threshold: 0.1, series: [{ label: 'max drift', values: pick(s, maxDrift) }] });
      target.append(col);
    }
  };
  ms.onchange = () => { fill(); draw(); };
  a.onchange = b.onchange = draw;
  fill();
  draw();
}

async function showAlerts() {
  const box = $('alerts');
  const { alerts } = await get('/v1/alerts').catch(() => ({ alerts: [] }));
  box.hidden = alerts.length === 0;
  box.replaceChildren(el('strong', {}, `${alerts.length} alert(s) firing`), el('ul', {}, ...alerts.map((a) => el('li', { 'data-alert': a.rule }, a.summary))));
}

async function show() {
  sessionStorage.setItem(KEY, keyInput.value);
  delete document.body.dataset.ready;
  try {
    const { models } = await get('/v1/models');
    out.replaceChildren();
    out.className = '';
    if (!models.length) out.textContent = 'No reports yet.';
    const all = await Promise.all(models.map((m) => get('/v1/series?' + q({ model: m.model, version: m.version }))));
    for (const s of all) versionSection(s, out);
    compare(all);
    await showAlerts();
  } catch (e) {
    out.textContent = e.message;
    out.className = 'muted';
  }
  document.body.dataset.ready = 'true';
}

$('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  show();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  keyInput.value = '';
  out.textContent = 'Key forgotten.';
});
// An earlier dashboard kept the key in localStorage, where it outlived the tab: remove it.
localStorage.removeItem(KEY);
keyInput.value = sessionStorage.getItem(KEY) || '';
if (keyInput.value) show();
