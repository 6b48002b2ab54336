import { parseBaseline, type Baseline } from '@edgewise/drift';
import { reportSchema } from '@edgewise/wire/schema';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppKeys, CollectorConfig } from './config.js';
import type { Database } from './database.js';
import { bodyOf, mergeBodies, type MergedBody } from './merge.js';
import { renderMetrics } from './metrics.js';
import { dashboardHtml } from './dashboard.js';
import { noisyCount } from './laplace.js';
import { populationDrift } from './population-drift.js';
import { RateLimiter } from './rate-limiter.js';

type KeyKind = 'ingestKey' | 'readKey';

/** Builds the collector's HTTP server over a database. Listening is the caller's choice. */
export function buildServer(config: CollectorConfig, db: Database): FastifyInstance {
  const app = Fastify({ bodyLimit: config.bodyLimit, logger: false });
  const limiter = new RateLimiter(config.ratePerMinute);
  const byKey = (kind: KeyKind, key: string | undefined) => config.apps.find((a) => a[kind] === key);

  /** Bearer header, or ?key= for the dashboard and scrapers that cannot set headers. */
  function authenticate(request: FastifyRequest, reply: FastifyReply, kind: KeyKind): AppKeys | undefined {
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7) : (request.query as { key?: string }).key;
    const found = byKey(kind, key);
    if (!found) {
      void reply.code(401).send({ error: `missing or unknown ${kind === 'ingestKey' ? 'ingest' : 'read'} key (Authorization: Bearer <key>)` });
    }
    return found;
  }

  // Browsers post reports cross-origin (the app's origin is not the collector's): allow CORS, and
  // CORP so cross-origin-isolated pages may read the answers.
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('access-control-allow-origin', '*');
    void reply.header('access-control-allow-headers', 'authorization, content-type');
    void reply.header('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
    void reply.header('cross-origin-resource-policy', 'cross-origin');
  });
  app.options('*', async (_request, reply) => reply.code(204).send());

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    // Fastify's own 4xx (body too large, bad JSON, wrong content type) keep their status with a clear message.
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({ error: status === 500 ? 'internal error' : error.message });
  });

  app.post('/v1/reports', async (request, reply) => {
    const keys = authenticate(request, reply, 'ingestKey');
    if (!keys) return reply;
    if (!limiter.take(keys.ingestKey)) return reply.code(429).send({ error: `rate limit: at most ${config.ratePerMinute} reports a minute per ingest key` });
    const parsed = reportSchema.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reply.code(400).send({ error: `invalid report: ${issue.path.join('.') || '(root)'}: ${issue.message}` });
    }
    const report = parsed.data;
    const bucket = Math.floor(report.window.end / config.windowMs) * config.windowMs;
    const outcome = await db.transaction(async (q) => {
      const inserted = await q(
        `INSERT INTO reports (id, app, model, model_version, window_start, window_end, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [report.id, keys.app, report.model, report.modelVersion, report.window.start, report.window.end, Date.now()],
      );
      if (inserted.length === 0) return 'duplicate' as const;
      const [row] = await q<{ reports: number; body: MergedBody }>(
        `SELECT reports, body FROM windows WHERE app=$1 AND model=$2 AND model_version=$3 AND bucket=$4 FOR UPDATE`,
        [keys.app, report.model, report.modelVersion, bucket],
      );
      let merged: MergedBody;
      try {
        merged = row ? mergeBodies(row.body, bodyOf(report)) : bodyOf(report);
      } catch (error) {
        return { conflict: (error as Error).message };
      }
      await q(
        `INSERT INTO windows (app, model, model_version, bucket, reports, body) VALUES ($1,$2,$3,$4,1,$5)
         ON CONFLICT (app, model, model_version, bucket) DO UPDATE SET reports = windows.reports + 1, body = $5`,
        [keys.app, report.model, report.modelVersion, bucket, JSON.stringify(merged)],
      );
      return 'stored' as const;
    }).catch((error: Error) => ({ conflict: error.message }));
    if (outcome === 'duplicate') return reply.code(409).send({ error: `report ${report.id} was already received; it is counted once` });
    if (typeof outcome === 'object') return reply.code(422).send({ error: `report does not merge with earlier ones: ${outcome.conflict}` });
    // 202 only after the transaction committed: an acknowledged report is durable.
    return reply.code(202).send({ accepted: report.id });
  });

  app.put<{ Params: { model: string; version: string } }>('/v1/baselines/:model/:version', async (request, reply) => {
    const keys = authenticate(request, reply, 'readKey');
    if (!keys) return reply;
    let baseline: Baseline;
    try {
      baseline = parseBaseline(request.body);
    } catch (error) {
      return reply.code(400).send({ error: (error as Error).message });
    }
    await db.query(
      `INSERT INTO baselines (app, model, model_version, baseline) VALUES ($1,$2,$3,$4) ON CONFLICT (app, model, model_version) DO UPDATE SET baseline = $4`,
      [keys.app, request.params.model, request.params.version, JSON.stringify(baseline)],
    );
    return reply.code(204).send();
  });

  app.get('/v1/models', async (request, reply) => {
    const keys = authenticate(request, reply, 'readKey');
    if (!keys) return reply;
    const rows = await db.query(`SELECT model, model_version AS version, SUM(reports)::int AS reports FROM windows WHERE app=$1 GROUP BY model, model_version ORDER BY model, model_version`, [keys.app]);
    return { models: rows };
  });

  app.get<{ Querystring: { model?: string; version?: string } }>('/v1/drift', async (request, reply) => {
    const keys = authenticate(request, reply, 'readKey');
    if (!keys) return reply;
    const { model, version } = request.query;
    if (!model || !version) return reply.code(400).send({ error: 'query parameters "model" and "version" are required' });
    return driftFor(db, config, keys.app, model, version);
  });

  app.get('/metrics', async (request, reply) => {
    const keys = authenticate(request, reply, 'readKey');
    if (!keys) return reply;
    return reply.type('text/plain; version=0.0.4').send(await renderMetrics(db, config, keys.app));
  });

  app.get('/', async (_request, reply) => reply.type('text/html').send(dashboardHtml));
  app.get('/healthz', async () => ({ ok: true, database: db.kind }));
  return app;
}

/** Merged population and per-window drift; withheld below k contributing reports. */
export async function driftFor(db: Database, config: CollectorConfig, app: string, model: string, version: string) {
  const rows = await db.query<{ bucket: string; reports: number; body: MergedBody }>(
    `SELECT bucket, reports, body FROM windows WHERE app=$1 AND model=$2 AND model_version=$3 ORDER BY bucket`,
    [app, model, version],
  );
  const [base] = await db.query<{ baseline: Baseline }>(`SELECT baseline FROM baselines WHERE app=$1 AND model=$2 AND model_version=$3`, [app, model, version]);
  const reports = rows.reduce((s, r) => s + r.reports, 0);
  if (reports < config.k) return { model, version, reports, withheld: true, reason: `fewer than k = ${config.k} reports` };
  const merged = rows.map((r) => r.body).reduce(mergeBodies);
  const windows = rows
    .filter((r) => r.reports >= config.k)
    .map((r) => ({ bucket: Number(r.bucket), reports: r.reports, features: base ? populationDrift(base.baseline, r.body) : [] }));
  // Released distributions: per-feature bin counts, with Laplace noise when configured.
  const histograms = Object.fromEntries(
    Object.entries(merged.features).map(([name, f]) => [
      name,
      f.kind === 'numeric'
        ? f.counts.map((c) => noisyCount(c, config.epsilon))
        : Object.fromEntries(Object.entries(f.counts).map(([k, c]) => [k, noisyCount(c, config.epsilon)])),
    ]),
  );
  return {
    model,
    version,
    reports,
    counters: merged.counters,
    backends: merged.backends,
    latencyMs: merged.latencyMs,
    features: base ? populationDrift(base.baseline, merged) : [],
    histograms,
    noise: config.epsilon ? { mechanism: 'laplace', epsilon: config.epsilon } : undefined,
    baseline: Boolean(base),
    windows,
  };
}
