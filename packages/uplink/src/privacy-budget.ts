import type { KeyValueStorage } from './key-value-outbox.js';

/** ε spent per UTC day (key: yyyy-mm-dd), and per reported window (key: its start, then `:version` for a version other than the uplink's own). */
export interface LedgerState {
  days: Record<string, number>;
  windows: Record<string, number>;
}

const windowKey = (windowStart: number, series?: string) => (series === undefined ? String(windowStart) : `${windowStart}:${series}`);

const DAY_MS = 86_400_000;
const dayOf = (t: number) => new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/**
 * The device's privacy ledger: what it has spent, per window and per UTC day, so it stops reporting
 * once the day's budget is used. In memory by default; pass a KeyValueStorage (AsyncStorage, a
 * localStorage wrapper) to keep it across restarts. Entries older than two days are dropped.
 */
export class PrivacyLedger {
  private state: LedgerState | undefined;

  constructor(
    private readonly storage?: KeyValueStorage,
    readonly key = 'edgewise-privacy-ledger',
  ) {}

  private async load(): Promise<LedgerState> {
    // With storage, read it every time: another tab (or uplink) of the same app may have spent since.
    if (this.state && !this.storage) return this.state;
    let state: LedgerState = { days: {}, windows: {} };
    const text = await this.storage?.getItem(this.key).catch(() => null);
    if (text) {
      try {
        const parsed = JSON.parse(text) as LedgerState;
        if (parsed && typeof parsed.days === 'object' && typeof parsed.windows === 'object') state = parsed;
      } catch {
        // A damaged ledger reads as empty only for days already past; see spentOn.
      }
    }
    return (this.state = state);
  }

  async spentOn(t: number): Promise<number> {
    return (await this.load()).days[dayOf(t)] ?? 0;
  }

  /** Whether the window starting at windowStart was reported; `series`: for that model version (the uplink's own when absent). */
  async windowReported(windowStart: number, series?: string): Promise<boolean> {
    return (await this.load()).windows[windowKey(windowStart, series)] !== undefined;
  }

  /** Records ε spent on the window starting at windowStart (of `series`, as windowReported) and on its day. */
  async spend(windowStart: number, epsilon: number, series?: string): Promise<void> {
    const state = await this.load();
    const day = dayOf(windowStart);
    const key = windowKey(windowStart, series);
    state.days[day] = (state.days[day] ?? 0) + epsilon;
    state.windows[key] = (state.windows[key] ?? 0) + epsilon;
    const oldest = windowStart - 2 * DAY_MS;
    for (const w of Object.keys(state.windows)) if (Number.parseInt(w, 10) < oldest) delete state.windows[w];
    for (const d of Object.keys(state.days)) if (Date.parse(d) < oldest - DAY_MS) delete state.days[d];
    await this.storage?.setItem(this.key, JSON.stringify(state));
  }

  /** A copy of what was spent (for apps that show it). */
  async snapshot(): Promise<LedgerState> {
    return structuredClone(await this.load());
  }
}

/** The slice of the Web Storage API (localStorage) the ledger uses. */
interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The page's localStorage as a KeyValueStorage, or undefined where there is none (Node, React
 * Native, a sandboxed frame that throws on access). The uplink's default ledger lives there, so a
 * reload neither resets the day's budget nor reports a window twice.
 */
export function localStorageOrUndefined(): KeyValueStorage | undefined {
  let s: WebStorage | undefined;
  try {
    s = (globalThis as { localStorage?: WebStorage }).localStorage;
    if (!s || typeof s.getItem !== 'function') return undefined;
  } catch {
    return undefined;
  }
  const store = s;
  return {
    getItem: async (k) => store.getItem(k),
    setItem: async (k, v) => store.setItem(k, v),
    removeItem: async (k) => store.removeItem(k),
    getAllKeys: async () => [],
  };
}
