/**
 * The dashboard: one static page that reads the JSON API with a read key (kept in localStorage) and
 * draws drift per feature over time as inline SVG. No build step, no third-party scripts.
 */
export const dashboardHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Edgewise collector</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h2{margin-top:2rem} .muted{color:#777} svg{background:#fafafa;border:1px solid #eee}
table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
.drift{color:#b00;font-weight:600}
</style></head><body>
<h1>Edgewise collector</h1>
<form id="auth"><label>Read key <input id="key" autocomplete="off"></label> <button>Show</button></form>
<div id="out" class="muted">Enter the app's read key.</div>
<script>
const out = document.getElementById('out');
const keyInput = document.getElementById('key');
keyInput.value = new URLSearchParams(location.search).get('key') || localStorage.getItem('edgewise-read-key') || '';
const get = (path) => fetch(path, { headers: { authorization: 'Bearer ' + keyInput.value } }).then((r) => r.ok ? r.json() : r.json().then((e) => Promise.reject(new Error(e.error))));
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function chart(windows, feature) {
  const pts = windows.map((w) => [w.bucket, ((w.features || []).find((f) => f.feature === feature) || {}).jensenShannon]).filter((p) => p[1] !== undefined);
  const W = 560, H = 120, max = Math.max(0.2, ...pts.map((p) => p[1]));
  const x = (i) => 30 + (pts.length > 1 ? (i * (W - 40)) / (pts.length - 1) : (W - 40) / 2);
  const y = (v) => H - 15 - (v / max) * (H - 30);
  const line = pts.map((p, i) => (i ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(p[1]).toFixed(1)).join(' ');
  return '<svg width="' + W + '" height="' + H + '" role="img" aria-label="drift of ' + esc(feature) + '">' +
    '<line x1="30" x2="' + (W - 10) + '" y1="' + y(0.1) + '" y2="' + y(0.1) + '" stroke="#e99" stroke-dasharray="4"/>' +
    '<text x="32" y="' + (y(0.1) - 3) + '" font-size="10" fill="#c66">0.1</text>' +
    '<path d="' + line + '" fill="none" stroke="#36c" stroke-width="2"/>' +
    pts.map((p, i) => '<circle cx="' + x(i) + '" cy="' + y(p[1]) + '" r="3" fill="#36c"><title>' + new Date(p[0]).toISOString() + ': ' + p[1].toFixed(3) + '</title></circle>').join('') + '</svg>';
}
async function show() {
  localStorage.setItem('edgewise-read-key', keyInput.value);
  try {
    const { models } = await get('/v1/models');
    if (!models.length) { out.textContent = 'No reports yet.'; return; }
    let html = '';
    for (const m of models) {
      const d = await get('/v1/drift?model=' + encodeURIComponent(m.model) + '&version=' + encodeURIComponent(m.version));
      html += '<h2>' + esc(m.model) + ' ' + esc(m.version) + ' <span class="muted">(' + (d.reports !== undefined ? d.reports + ' reports' : d.devices !== undefined ? d.devices + ' devices, noisy' : 'privacy on') + ')</span></h2>';
      if (d.withheld) { html += '<p class="muted">Withheld: ' + esc(d.reason) + '.</p>'; continue; }
      html += '<p>runs ' + d.counters.runs + ', errors ' + d.counters.errors + ', rejected ' + d.counters.rejected + ', fallbacks ' + d.counters.fallbacks + '; backends ' + esc(JSON.stringify(d.backends)) + '</p>';
      if (!d.baseline) { html += '<p class="muted">No baseline registered for this version.</p>'; continue; }
      html += '<table><tr><th>feature</th><th>Jensen-Shannon</th><th>PSI</th><th>values</th></tr>' + d.features.map((f) =>
        '<tr><td>' + esc(f.feature) + '</td><td class="' + (f.drifted ? 'drift' : '') + '">' + f.jensenShannon.toFixed(3) + '</td><td>' + f.psi.toFixed(3) + '</td><td>' + f.count + '</td></tr>').join('') + '</table>';
      for (const f of d.features) html += '<h3>' + esc(f.feature) + '</h3>' + chart(d.windows, f.feature);
    }
    out.innerHTML = html;
    out.className = '';
  } catch (e) { out.textContent = e.message; out.className = 'muted'; }
  document.body.dataset.ready = 'true';
}
document.getElementById('auth').addEventListener('submit', (e) => { e.preventDefault(); show(); });
if (keyInput.value) show();
</script></body></html>`;
