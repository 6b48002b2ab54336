import { createHash } from 'node:crypto';
import { describeFiring, evaluateRule, type AlertRule } from './alert-rules.js';
import type { BaselineRegistry } from './baseline-registry.js';
import type { CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { fleetSeries } from './fleet-series.js';
import { readVersions } from './rollups.js';
import { deliverWebhook, type DeliveryOptions } from './webhook.js';

export interface AlertNotification {
  id: string;
  status: 'firing';
  app: string;
  model: string;
  version: string;
  rule: AlertRule;
  since: string;
  window: { start: string; end: string };
  value: number;
  summary: string;
}

export interface ActiveAlert {
  id: string;
  rule: string;
  model: string;
  version: string;
  since: number;
  lastWindow: number;
  value: number;
  summary: string;
}

/**
 * Evaluates the alert rules on the released series (the same read boundary as the dashboard) and
 * notifies once per firing. A firing is identified by (app, rule, model, version, first window over
 * the threshold) and recorded with INSERT … ON CONFLICT DO NOTHING: of all the evaluations, in one
 * process or ten, exactly one inserts it, and only that one sends the webhook. A rule that stops
 * firing is marked resolved; firing again later is a new firing (a new first window).
 */
export class AlertEvaluator {
  constructor(
    private readonly db: Database,
    private readonly config: CollectorConfig,
    private readonly registry: BaselineRegistry,
    private readonly delivery: DeliveryOptions = {},
  ) {}

  async evaluate(now = Date.now()): Promise<AlertNotification[]> {
    const sent: AlertNotification[] = [];
    if (this.config.alertRules.length === 0) return sent;
    for (const { app } of this.config.apps) {
      for (const v of await readVersions(this.db, app)) {
        const series = await fleetSeries(this.db, this.config, app, v.model, v.version, { registry: this.registry, now });
        for (const rule of this.config.alertRules) {
          const firing = evaluateRule(rule, series);
          const key = [app, rule.id, v.model, v.version] as const;
          if (!firing) {
            await this.db.query(`UPDATE alert_firings SET resolved_at = $5 WHERE app=$1 AND rule=$2 AND model=$3 AND model_version=$4 AND resolved_at IS NULL`, [...key, now]);
            continue;
          }
          const summary = describeFiring(rule, v.model, v.version, firing);
          // Earlier firings of this rule on this version that are not this one have ended.
          await this.db.query(`UPDATE alert_firings SET resolved_at = $6 WHERE app=$1 AND rule=$2 AND model=$3 AND model_version=$4 AND since <> $5 AND resolved_at IS NULL`, [...key, firing.since, now]);
          const inserted = await this.db.query<{ since: number }>(
            `INSERT INTO alert_firings (app, rule, model, model_version, since, last_window, value, summary, fired_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
             ON CONFLICT (app, rule, model, model_version, since) DO NOTHING RETURNING since`,
            [...key, firing.since, firing.window.start, firing.value, summary, now],
          );
          if (inserted.length === 0) {
            await this.db.query(`UPDATE alert_firings SET last_window=$6, value=$7, summary=$8, resolved_at=NULL WHERE app=$1 AND rule=$2 AND model=$3 AND model_version=$4 AND since=$5`, [...key, firing.since, firing.window.start, firing.value, summary]);
            continue;
          }
          const notification: AlertNotification = {
            id: firingId(app, rule.id, v.model, v.version, firing.since),
            status: 'firing',
            app,
            model: v.model,
            version: v.version,
            rule,
            since: new Date(firing.since).toISOString(),
            window: { start: new Date(firing.window.start).toISOString(), end: new Date(firing.window.end).toISOString() },
            value: firing.value,
            summary,
          };
          sent.push(notification);
          if (this.config.alertWebhook) {
            const result = await deliverWebhook(this.config.alertWebhook, notification.id, notification, this.delivery);
            await this.db.query(`UPDATE alert_firings SET delivered_at=$6, delivery_status=$7 WHERE app=$1 AND rule=$2 AND model=$3 AND model_version=$4 AND since=$5`, [...key, firing.since, result.delivered ? Date.now() : null, result.status ?? null]);
          }
        }
      }
    }
    return sent;
  }
}

const firingId = (...parts: Array<string | number>) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

/** The app's firing alerts (not resolved), newest first: what the dashboard's banner shows. */
export async function activeAlerts(db: Database, app: string): Promise<ActiveAlert[]> {
  const rows = await db.query<{ rule: string; model: string; model_version: string; since: number; last_window: number; value: number; summary: string }>(
    `SELECT rule, model, model_version, since, last_window, value, summary FROM alert_firings WHERE app=$1 AND resolved_at IS NULL ORDER BY since DESC, rule`,
    [app],
  );
  return rows.map((r) => ({ id: firingId(app, r.rule, r.model, r.model_version, r.since), rule: r.rule, model: r.model, version: r.model_version, since: r.since, lastWindow: r.last_window, value: r.value, summary: r.summary }));
}
