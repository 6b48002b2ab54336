/**
 * The benchmark page. With ?cells=[…] it measures those cells in order and publishes
 * { env, results } on window.benchResult (the CLI, bench/run-bench.ts, opens it once per cell);
 * without, it offers a form to pick a matrix by hand.
 */
import { BENCH_MODELS } from './matrix/bench-models.js';
import { cellLabel, type CellResult, type CellSpec } from './matrix/cell.js';
import { describeEnvironment } from './matrix/environment.js';
import { measureCell } from './matrix/measure-cell.js';

const $ = (id: string) => document.getElementById(id)!;
const params = new URLSearchParams(location.search);
const CHOICES: Record<string, string[]> = {
  models: BENCH_MODELS.map((m) => m.id),
  backends: ['wasm', 'webgl', 'webgpu'],
  contexts: ['main', 'worker'],
  impls: ['raw', 'edgewise', 'edgewise-features', 'edgewise-unmonitored'],
};

for (const [group, values] of Object.entries(CHOICES)) {
  for (const value of values) {
    const checked = group !== 'impls' || value === 'raw' || value === 'edgewise';
    $(group).insertAdjacentHTML('beforeend', `<label><input type="checkbox" name="${group}" value="${value}" ${checked ? 'checked' : ''}/> ${value}</label><br/>`);
  }
}
$('form').addEventListener('submit', (e) => {
  e.preventDefault();
  const picked = (group: string) => [...document.querySelectorAll<HTMLInputElement>(`input[name=${group}]:checked`)].map((i) => i.value);
  const threads = Number((document.getElementById('threads') as HTMLInputElement).value);
  const cells: CellSpec[] = [];
  for (const model of picked('models'))
    for (const backend of picked('backends') as CellSpec['backend'][])
      for (const context of picked('contexts') as CellSpec['context'][])
        for (const impl of picked('impls') as CellSpec['impl'][]) cells.push({ model, backend, threads, context, impl });
  location.search = `?cells=${encodeURIComponent(JSON.stringify(cells))}`;
});

const row = (r: CellResult) =>
  r.ok
    ? `<tr><td>${cellLabel(r.spec)}</td><td>${r.coldLoadMs!.toFixed(0)}</td><td>${r.firstRunMs!.toFixed(1)}</td><td>${r.warmLoadMs!.toFixed(0)}</td><td>${r.medianMs!.toFixed(3)}</td><td>${r.p95Ms!.toFixed(3)}</td><td>${r.runs}</td></tr>`
    : `<tr><td>${cellLabel(r.spec)}</td><td colspan="6" class="error">${r.error}</td></tr>`;

/** Malformed ?cells= is answered on the page and to the driver at once, not by a timeout. */
function parseCells(text: string): CellSpec[] {
  let specs: unknown;
  try {
    specs = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`?cells= is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(specs) || specs.some((s) => typeof s !== 'object' || s === null || typeof s.model !== 'string' || typeof s.backend !== 'string')) {
    throw new TypeError('?cells= must be a JSON array of {model, backend, threads, context, impl}.');
  }
  return specs as CellSpec[];
}

const cells = params.get('cells');
let specs: CellSpec[] | undefined;
try {
  specs = cells ? parseCells(cells) : undefined;
} catch (error) {
  $('status').textContent = (error as Error).message;
  (window as unknown as { benchResult: unknown }).benchResult = { error: (error as Error).message, results: [] };
}
if (specs) {
  const env = await describeEnvironment();
  $('env').textContent = `${env.userAgent} · ${env.cores} cores · cross-origin isolated: ${env.crossOriginIsolated} · WebGPU: ${env.webgpu ?? 'none'} · WebGL: ${env.webgl ?? 'none'}`;
  $('results').innerHTML = '<tr><th>cell</th><th>cold load ms</th><th>first run ms</th><th>warm load ms</th><th>median ms</th><th>p95 ms</th><th>runs</th></tr>';
  const results: CellResult[] = [];
  for (const [i, spec] of specs.entries()) {
    $('status').textContent = `measuring ${i + 1}/${specs.length}: ${cellLabel(spec)}…`;
    const result = await measureCell(spec);
    results.push(result);
    $('results').insertAdjacentHTML('beforeend', row(result));
  }
  $('status').textContent = `done: ${results.filter((r) => r.ok).length}/${results.length} cells ran.`;
  (window as unknown as { benchResult: unknown }).benchResult = { env, results };
}
