import type { DriftReport } from '@edgewise/core';

/** Renders per-feature drift: the score against its threshold, red when drifted. */
export function renderDrift(table: HTMLTableElement, note: HTMLElement, report: DriftReport): void {
  const judged = report.features.filter((f) => !f.insufficient);
  note.textContent =
    judged.length === 0
      ? `Draw a few digits: ${report.features[0]?.count ?? 0} so far, the monitor judges from 5.`
      : report.drifted
        ? `Your drawings have drifted from the training data (${Math.round(report.driftedShare * 100)}% of features).`
        : 'Your drawings look like the training data.';
  table.innerHTML = '<tr><th>feature</th><th>method</th><th>score</th><th></th></tr>';
  for (const f of report.features) {
    const row = table.insertRow();
    const pValue = f.method === 'ks' || f.method === 'chi-square';
    // p-values drift when small, distances when large: draw both as "how far past the threshold".
    const severity = Number.isNaN(f.score) ? 0 : pValue ? Math.min(1, f.threshold / Math.max(f.score, 1e-9) / 4) : Math.min(1, f.score / (f.threshold * 4));
    row.innerHTML = `<td>${f.feature}</td><td>${f.method}${pValue ? ' p' : ''}</td><td class="${f.drifted ? 'drifted' : ''}">${Number.isNaN(f.score) ? '—' : f.score.toFixed(3)}</td>
      <td><div class="meter"><span style="width:${(severity * 100).toFixed(0)}%"></span><i style="left:25%"></i></div></td>`;
  }
}
