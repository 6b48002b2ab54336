import type { CellResult } from './cell.js';

const COLORS: Record<string, string> = { raw: '#999', edgewise: '#36c', 'edgewise-features': '#2a9d5c', 'edgewise-unmonitored': '#e39b2d' };
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * A self-contained SVG: one panel per model, one bar group per backend × context, one bar per
 * implementation (median ms per run, log scale, since SwiftShader GPU runs can be 100x WASM's).
 * Failed cells are listed in the group with their reason, so a missing bar is explained.
 */
export function renderChart(results: CellResult[], title: string): string {
  const ok = results.filter((r) => r.ok);
  const lo = Math.min(...ok.map((r) => r.medianMs!), 1) / 1.5;
  const hi = Math.max(...ok.map((r) => r.medianMs!), 10) * 1.5;
  const width = 980;
  const left = 210;
  const plotWidth = width - left - 90;
  const x = (ms: number) => left + (Math.log(ms / lo) / Math.log(hi / lo)) * plotWidth;
  const bar = 9;
  let y = 50;
  const parts: string[] = [];
  const models = [...new Set(results.map((r) => r.spec.model))];
  for (const model of models) {
    parts.push(`<text x="10" y="${y + 4}" font-weight="700">${escape(model)}</text>`);
    y += 12;
    const groups = new Map<string, CellResult[]>();
    for (const r of results.filter((r) => r.spec.model === model)) {
      const g = `${r.spec.backend === 'wasm' ? `wasm ×${r.spec.threads}` : r.spec.backend} · ${r.spec.context}`;
      groups.set(g, [...(groups.get(g) ?? []), r]);
    }
    for (const [group, cells] of groups) {
      parts.push(`<text x="20" y="${y + bar}" font-size="11">${escape(group)}</text>`);
      for (const r of cells) {
        if (r.ok) {
          parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(r.medianMs!) - left).toFixed(1)}" height="${bar}" fill="${COLORS[r.spec.impl]}"><title>${escape(r.spec.impl)}: median ${r.medianMs!.toFixed(3)} ms, p95 ${r.p95Ms!.toFixed(3)} ms, cold load ${r.coldLoadMs!.toFixed(0)} ms${r.pair ? `; interleaved ${escape(r.pair.impl)} median ${r.pair.medianMs.toFixed(3)} ms (×${(r.medianMs! / r.pair.medianMs).toFixed(3)})` : ''}</title></rect>`);
          parts.push(`<text x="${x(r.medianMs!) + 4}" y="${y + bar - 1}" font-size="9">${r.medianMs! < 1 ? r.medianMs!.toFixed(3) : r.medianMs!.toFixed(1)}</text>`);
        } else {
          parts.push(`<text x="${left}" y="${y + bar - 1}" font-size="9" fill="#b00">${escape(r.spec.impl)}: ${escape((r.error ?? '').slice(0, 110))}</text>`);
        }
        y += bar + 2;
      }
      y += 5;
    }
    y += 10;
  }
  const ticks: string[] = [];
  for (let p = Math.ceil(Math.log10(lo)); p <= Math.floor(Math.log10(hi)); p++) {
    const ms = 10 ** p;
    ticks.push(`<line x1="${x(ms)}" x2="${x(ms)}" y1="40" y2="${y}" stroke="#eee"/><text x="${x(ms)}" y="36" font-size="10" text-anchor="middle">${ms >= 1 ? ms : ms.toFixed(-p)} ms</text>`);
  }
  const legend = Object.entries(COLORS)
    .filter(([impl]) => results.some((r) => r.spec.impl === impl))
    .map(([impl, color], i) => `<rect x="${left + i * 170}" y="${y + 6}" width="10" height="10" fill="${color}"/><text x="${left + i * 170 + 14}" y="${y + 15}" font-size="11">${impl}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 30}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="700">${escape(title)}</text>
${ticks.join('\n')}
${parts.join('\n')}
${legend}
</svg>
`;
}
