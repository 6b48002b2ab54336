import type { FleetSeries, WindowPoint } from './fleet-series.js';

export type AlertKind = 'drift' | 'error-rate' | 'fallback-rate' | 'latency-p99' | 'accuracy-drop';

/**
 * One alert rule, evaluated on each closed window of every model version it matches. It fires when
 * its value is over `threshold` in each of the last `windows` released windows (withheld windows are
 * no evidence either way and are skipped), and notifies once per firing.
 * - drift: the largest Jensen-Shannon distance over the features (or PSI, or one `feature`'s)
 * - error-rate, fallback-rate: errors / runs, fallbacks / runs
 * - latency-p99: p99 inference latency in ms
 * - accuracy-drop: best earlier accuracy minus this window's (only where an `accuracy` series exists)
 *
 * @example
 * { id: 'drift', kind: 'drift', threshold: 0.1, windows: 2 }
 */
export interface AlertRule {
  id: string;
  kind: AlertKind;
  threshold: number;
  windows: number;
  metric?: 'jensenShannon' | 'psi';
  feature?: string;
  model?: string;
  version?: string;
}

export const ALERT_KINDS: readonly AlertKind[] = ['drift', 'error-rate', 'fallback-rate', 'latency-p99', 'accuracy-drop'];

/** Rules used when none are configured: conservative, so a healthy fleet stays silent. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { id: 'drift', kind: 'drift', threshold: 0.1, windows: 2 },
  { id: 'error-rate', kind: 'error-rate', threshold: 0.05, windows: 1 },
  { id: 'fallback-rate', kind: 'fallback-rate', threshold: 0.2, windows: 2 },
  { id: 'latency-p99', kind: 'latency-p99', threshold: 500, windows: 2 },
  { id: 'accuracy-drop', kind: 'accuracy-drop', threshold: 0.05, windows: 2 },
];

/** Checks rules from configuration (JSON); throws a RangeError naming the rule, field and what is allowed. */
export function parseAlertRules(json: unknown): AlertRule[] {
  if (!Array.isArray(json)) throw new RangeError(`alert rules must be a JSON array of rules; received ${typeof json}`);
  const ids = new Set<string>();
  return json.map((r: Record<string, unknown>, i) => {
    const where = `alert rule ${i}${typeof r?.id === 'string' ? ` ("${r.id}")` : ''}`;
    if (typeof r !== 'object' || r === null) throw new RangeError(`${where}: must be an object`);
    if (typeof r.id !== 'string' || !/^[\w.-]{1,64}$/.test(r.id)) throw new RangeError(`${where}: id must be 1–64 letters, digits, "_", "." or "-"; received ${JSON.stringify(r.id)}`);
    if (ids.has(r.id)) throw new RangeError(`${where}: id used twice`);
    ids.add(r.id);
    if (!ALERT_KINDS.includes(r.kind as AlertKind)) throw new RangeError(`${where}: kind must be one of ${ALERT_KINDS.join(', ')}; received ${JSON.stringify(r.kind)}`);
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold)) throw new RangeError(`${where}: threshold must be a finite number; received ${JSON.stringify(r.threshold)}`);
    const windows = r.windows ?? 1;
    if (!Number.isSafeInteger(windows) || (windows as number) < 1 || (windows as number) > 1000) throw new RangeError(`${where}: windows must be an integer in [1, 1000]; received ${JSON.stringify(r.windows)}`);
    if (r.metric !== undefined && r.metric !== 'jensenShannon' && r.metric !== 'psi') throw new RangeError(`${where}: metric must be "jensenShannon" or "psi"; received ${JSON.stringify(r.metric)}`);
    for (const k of ['feature', 'model', 'version'] as const) if (r[k] !== undefined && typeof r[k] !== 'string') throw new RangeError(`${where}: ${k} must be a string`);
    return { ...(r as unknown as AlertRule), windows: windows as number };
  });
}

/** The rule's value in one window; undefined where the window says nothing about it. */
function valueIn(rule: AlertRule, w: WindowPoint, earlier: WindowPoint[]): number | undefined {
  switch (rule.kind) {
    case 'drift': {
      const scores = (w.drift ?? []).filter((d) => rule.feature === undefined || d.feature === rule.feature).map((d) => (rule.metric === 'psi' ? d.psi : d.jensenShannon));
      return scores.length ? Math.max(...scores) : undefined;
    }
    case 'error-rate':
      return w.runs ? (w.errors ?? 0) / w.runs : undefined;
    case 'fallback-rate':
      return w.runs ? (w.fallbacks ?? 0) / w.runs : undefined;
    case 'latency-p99':
      return w.latencyMs?.p99;
    case 'accuracy-drop': {
      const now = w.other?.accuracy;
      const before = earlier.map((e) => e.other?.accuracy).filter((a): a is number => a !== undefined);
      return now === undefined || before.length === 0 ? undefined : Math.max(...before) - now;
    }
  }
}

export interface Firing {
  /** First window of the run of windows over the threshold: with the rule and version, the firing's identity. */
  since: number;
  window: { start: number; end: number };
  value: number;
}

/**
 * Whether the rule fires on the latest released window of `series`: over the threshold in each of
 * the last `rule.windows` released windows. Pure, so every process computes the same firing.
 */
export function evaluateRule(rule: AlertRule, series: FleetSeries): Firing | undefined {
  if ((rule.model !== undefined && rule.model !== series.model) || (rule.version !== undefined && rule.version !== series.version)) return undefined;
  const released = series.windows.filter((w) => !w.withheld);
  let run = 0;
  let since = 0;
  let value = 0;
  released.forEach((w, i) => {
    const v = valueIn(rule, w, released.slice(0, i));
    if (v !== undefined && v > rule.threshold) {
      if (run === 0) since = w.start;
      run++;
      value = v;
    } else run = 0;
  });
  const last = released.at(-1);
  return last && run >= rule.windows ? { since, window: { start: last.start, end: last.end }, value } : undefined;
}

export function describeFiring(rule: AlertRule, model: string, version: string, firing: Firing): string {
  const what: Record<AlertKind, string> = {
    drift: `${rule.feature ? `feature ${rule.feature}` : 'input'} drift (${rule.metric === 'psi' ? 'PSI' : 'Jensen-Shannon'}) ${firing.value.toFixed(3)}`,
    'error-rate': `error rate ${(firing.value * 100).toFixed(1)} %`,
    'fallback-rate': `fallback rate ${(firing.value * 100).toFixed(1)} %`,
    'latency-p99': `p99 latency ${firing.value.toFixed(1)} ms`,
    'accuracy-drop': `accuracy down ${(firing.value * 100).toFixed(1)} points`,
  };
  return `${model} ${version}: ${what[rule.kind]} over ${rule.threshold} for ${rule.windows} window(s), since ${new Date(firing.since).toISOString()} (rule "${rule.id}")`;
}
