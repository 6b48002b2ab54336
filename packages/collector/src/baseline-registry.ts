import { parseBaseline, type Baseline } from '@edgewise/drift';
import { baselinePrivacyProblem, type PrivacyRules } from '@edgewise/wire';
import type { Database } from './database.js';
import { BaselineInvalidError } from './errors.js';
import { layoutOf, type Layout } from './layout.js';

export interface RegisteredBaseline {
  baseline: Baseline;
  layout: Layout;
}

const MAX_CACHED = 10_000;

/**
 * Baselines per app × model × version, read from the database and kept for `ttlMs`: another
 * process may register or replace one, and this one sees it within that time. A stale copy is
 * harmless: counts are stored under the layout hash they were checked against.
 */
export class BaselineRegistry {
  private readonly cache = new Map<string, { at: number; value: Promise<RegisteredBaseline | undefined> }>();

  constructor(
    private readonly db: Database,
    private readonly options: { ttlMs: number; maxCategoriesPerFeature: number; privacy?: Pick<PrivacyRules, 'maxBins' | 'maxCategories'> },
  ) {}

  get(app: string, model: string, version: string, now = Date.now()): Promise<RegisteredBaseline | undefined> {
    const key = JSON.stringify([app, model, version]);
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.options.ttlMs) return hit.value;
    const value = this.load(app, model, version);
    // A failed read is not cached: the next report asks the database again.
    value.catch(() => this.cache.get(key)?.value === value && this.cache.delete(key));
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { at: now, value });
    return value;
  }

  /** Validates and stores a baseline (replacing the version's earlier one). */
  async register(app: string, model: string, version: string, json: unknown): Promise<RegisteredBaseline> {
    let baseline: Baseline;
    try {
      baseline = parseBaseline(json);
    } catch (error) {
      throw new BaselineInvalidError((error as Error).message);
    }
    const layout = layoutOf(baseline, this.options.maxCategoriesPerFeature);
    // Bins and vocabularies are chosen by whoever holds the read key: fine bins, or floats declared
    // as categories, would pin a single device's input, so such baselines are refused outright.
    const problem = this.options.privacy && baselinePrivacyProblem(baseline, this.options.privacy);
    if (problem) throw new BaselineInvalidError(`baseline: ${problem.message}`);
    await this.db.query(
      `INSERT INTO baselines (app, model, model_version, baseline, layout_hash, registered_at) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (app, model, model_version) DO UPDATE SET baseline = EXCLUDED.baseline, layout_hash = EXCLUDED.layout_hash, registered_at = EXCLUDED.registered_at`,
      [app, model, version, JSON.stringify(baseline), layout.hash, Date.now()],
    );
    const registered = { baseline, layout };
    this.cache.set(JSON.stringify([app, model, version]), { at: Date.now(), value: Promise.resolve(registered) });
    return registered;
  }

  private async load(app: string, model: string, version: string): Promise<RegisteredBaseline | undefined> {
    const [row] = await this.db.query<{ baseline: Baseline }>(`SELECT baseline FROM baselines WHERE app=$1 AND model=$2 AND model_version=$3`, [app, model, version]);
    if (!row) return undefined;
    const baseline = typeof row.baseline === 'string' ? (JSON.parse(row.baseline) as Baseline) : row.baseline;
    try {
      return { baseline, layout: layoutOf(baseline, Number.MAX_SAFE_INTEGER) };
    } catch {
      // Stored by an older collector that did not check layouts: treated as absent, so devices'
      // features are ignored (and said so) rather than their reports refused.
      return undefined;
    }
  }
}
