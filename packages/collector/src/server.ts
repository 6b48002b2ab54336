import { keyProblem } from '@edgewise/wire';
import { describeSchemaIssue, reportSchema } from '@edgewise/wire/schema';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { BaselineRegistry } from './baseline-registry.js';
import { authenticate } from './auth.js';
import type { CollectorConfig } from './config.js';
import { registerDashboard } from './dashboard.js';
import type { Database } from './database.js';
import { activeAlerts, AlertEvaluator } from './alerts.js';
import { accuracyFor } from './accuracy.js';
import { shadowFor } from './shadow.js';
import { canaryFor } from './canary.js';
import { driftFor } from './drift.js';
import { fleetSeries } from './fleet-series.js';
import { CollectorError, DatabaseUnavailableError, ReportInvalidError, ReportRefusedError } from './errors.js';
import { IngestQueue } from './ingest-queue.js';
import { KeyRing, type Role } from './keys.js';
import { parseJsonBody } from './json-body.js';
import { exportOtlp } from './otlp-export.js';
import { renderMetrics } from './metrics.js';
import { RateLimit } from './rate-limit.js';
import { readVersions } from './rollups.js';
import { checkReport } from './report-check.js';
import { pruneExpired } from './retention.js';
import { Roller, rollUpAll } from './rollup.js';
import { COMMON_SECURITY_HEADERS, HTML_SECURITY_HEADERS } from './security-headers.js';

const time = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new CollectorError('E_QUERY', `query parameter "${name}" must be a time in ms since 1970; received ${JSON.stringify(v)}`);
  return n;
};

/** Reports waiting for the database beyond this are answered 503 at once instead of queueing. */
const MAX_QUEUED_REPORTS = 20_000;

// Browsers post reports cross-origin (the app's origin is not the collector's): allow CORS, and
// CORP so cross-origin-isolated pages may read the answers. One object, set once per answer.
const EVERY_ANSWER_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
  'access-control-expose-headers': 'retry-after',
  'cross-origin-resource-policy': 'cross-origin',
  ...COMMON_SECURITY_HEADERS,
};

/**
 * Builds the collector's HTTP server over a migrated database. Listening is the caller's choice.
 * Stateless apart from caches: any number of processes may serve one database.
 */
export function buildServer(config: CollectorConfig, db: Database): FastifyInstance {
  const app = Fastify({ bodyLimit: config.bodyLimit, logger: false });
  const registry = new BaselineRegistry(db, { ttlMs: config.baselineCacheMs, maxCategoriesPerFeature: config.maxCategoriesPerFeature, privacy: config.privacy || undefined });
  // Rollup and vacuum failures do not fail any request (reads add pending rows themselves), but an
  // operator must hear of them: at most one line a minute, so an outage does not flood the log.
  let lastRollupWarning = -Infinity;
  const roller = new Roller(db, {
    intervalMs: config.rollupIntervalMs,
    batch: config.batchMaxReports * 4,
    onError: (error) => {
      if (Date.now() - lastRollupWarning < 60_000) return;
      lastRollupWarning = Date.now();
      console.warn(`edgewise collector: background rollup/vacuum failed (retried every ${config.rollupIntervalMs} ms): ${(error as Error)?.message ?? String(error)}`);
    },
  });
  const queue = new IngestQueue(db, new RateLimit(db, config.ratePerMinute), {
    maxBatch: config.batchMaxReports,
    // PGlite runs one statement at a time on this thread: a second batch in flight would only
    // split the reports waiting into smaller batches.
    concurrency: db.kind === 'pglite' ? 1 : config.batchConcurrency,
    onStored: (n) => roller.wrote(n),
  });
  let queued = 0;
  const keyRing = new KeyRing(config.apps);
  const auth = (request: FastifyRequest, role: Role) => authenticate(request, keyRing, role);

  // Callback hooks, not async ones: no promise per request on the ingest path.
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(EVERY_ANSWER_HEADERS);
    done();
  });
  // Every HTML answer, whichever route sent it (a 404 page included), gets the strict headers.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) void reply.headers(HTML_SECURITY_HEADERS);
    done(null, payload);
  });
  app.options('*', async (_request, reply) => reply.code(204).send());
  // JSON only: anything else is 415 (fastify would hand a text/plain body over as a string).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error: { statusCode?: number; message: string; code?: string }, _request, reply) => {
    if (error instanceof CollectorError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(error.status).send({ error: error.message, code: error.code });
    }
    // Fastify's own 4xx (body too large, wrong content type) keep their status with a clear message.
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal error' : error.message, code: error.code ?? 'E_INTERNAL' });
  });

  app.post('/v1/reports', async (request, reply) => {
    const keys = auth(request, 'ingest');
    const parsed = reportSchema.safeParse(request.body);
    if (!parsed.success) throw new ReportInvalidError(`invalid report: ${describeSchemaIssue(parsed.error.issues)}`);
    const report = parsed.data;
    const registered = await registry.get(keys.app, report.model, report.modelVersion);
    const additions = checkReport(report, keys.app, registered, config, config.now?.() ?? Date.now());
    if (queued >= MAX_QUEUED_REPORTS) throw new DatabaseUnavailableError(`overloaded: ${queued} reports are waiting for the database`, { retryAfterSeconds: 5 });
    queued++;
    const outcome = await queue.submit(additions).finally(() => queued--);
    if (outcome.status === 'duplicate') {
      return reply.code(409).send({ error: `report ${report.id} was already received; it is counted once`, code: 'E_REPORT_DUPLICATE' });
    }
    if (outcome.status === 'token-reused') {
      throw new ReportRefusedError(`token: already used by another report in this window; a device sends one report per window (with a fresh token each window)`);
    }
    if (outcome.status === 'rate-limited') {
      void reply.header('retry-after', String(outcome.retryAfterSeconds));
      return reply.code(429).send({ error: `rate limit: at most ${config.ratePerMinute} reports a minute for app "${keys.app}"`, code: 'E_RATE_LIMITED' });
    }
    // 202 only after the statement committed: an acknowledged report is durable.
    return reply.code(202).send(additions.ignored.length ? { accepted: report.id, ignoredFeatures: additions.ignored } : { accepted: report.id });
  });

  app.put<{ Params: { model: string; version: string } }>('/v1/baselines/:model/:version', async (request, reply) => {
    const keys = auth(request, 'admin');
    for (const param of ['model', 'version'] as const) {
      const problem = keyProblem(request.params[param]);
      if (problem) throw new ReportInvalidError(`${param}: ${problem}`);
    }
    await registry.register(keys.app, request.params.model, request.params.version, request.body);
    return reply.code(204).send();
  });

  app.get('/v1/models', async (request, reply) => {
    const keys = auth(request, 'read');
    const versions = await readVersions(db, keys.app);
    if (!config.privacy) return { models: versions };
    // With privacy on, neither exact report counts nor versions without a released window: a version
    // exists only because someone reported in it (a canary on one device would say that it did).
    const released = await Promise.all(versions.map(async ({ model, version }) => !('withheld' in (await driftFor(db, config, keys.app, model, version, { registry, now: config.now?.() })))));
    return { models: versions.filter((_, i) => released[i]).map(({ model, version }) => ({ model, version })) };
  });

  app.get<{ Querystring: { model?: string; version?: string; from?: string; to?: string } }>('/v1/drift', async (request, reply) => {
    const keys = auth(request, 'read');
    const { model, version, from, to } = request.query;
    if (!model || !version) return reply.code(400).send({ error: 'query parameters "model" and "version" are required', code: 'E_QUERY' });
    return driftFor(db, config, keys.app, model, version, { registry, range: { from: time('from', from), to: time('to', to) }, now: config.now?.() });
  });

  app.get<{ Querystring: { model?: string; version?: string; from?: string; to?: string } }>('/v1/series', async (request) => {
    const keys = auth(request, 'read');
    const { model, version, from, to } = request.query;
    if (!model || !version) throw new CollectorError('E_QUERY', 'query parameters "model" and "version" are required');
    return fleetSeries(db, config, keys.app, model, version, { registry, range: { from: time('from', from), to: time('to', to) }, now: config.now?.() });
  });

  // Baselines are built by the operator from training data: a read-key holder may see them (the
  // dashboard draws them beside the current histograms); only an admin key may replace them.
  app.get<{ Params: { model: string; version: string } }>('/v1/baselines/:model/:version', async (request, reply) => {
    const keys = auth(request, 'read');
    const registered = await registry.get(keys.app, request.params.model, request.params.version);
    if (!registered) return reply.code(404).send({ error: `no baseline registered for ${request.params.model} ${request.params.version}`, code: 'E_NOT_FOUND' });
    return registered.baseline;
  });

  app.get('/v1/alerts', async (request) => {
    const keys = auth(request, 'read');
    return { alerts: await activeAlerts(db, keys.app) };
  });

  app.get<{ Querystring: { model?: string; version?: string; from?: string; to?: string } }>('/v1/accuracy', async (request, reply) => {
    const keys = auth(request, 'read');
    const { model, version, from, to } = request.query;
    if (!model || !version) return reply.code(400).send({ error: 'query parameters "model" and "version" are required', code: 'E_QUERY' });
    return accuracyFor(db, config, keys.app, model, version, { from: time('from', from), to: time('to', to) }, { registry, now: config.now?.() });
  });

  app.get<{ Querystring: { model?: string; version?: string; from?: string; to?: string } }>('/v1/shadow', async (request, reply) => {
    const keys = auth(request, 'read');
    const { model, version, from, to } = request.query;
    if (!model || !version) return reply.code(400).send({ error: 'query parameters "model" and "version" are required', code: 'E_QUERY' });
    return shadowFor(db, config, keys.app, model, version, { from: time('from', from), to: time('to', to) }, { registry, now: config.now?.() });
  });

  app.get<{ Querystring: { model?: string; version?: string; from?: string; to?: string } }>('/v1/canary', async (request, reply) => {
    const keys = auth(request, 'read');
    const { model, version, from, to } = request.query;
    if (!model || !version) return reply.code(400).send({ error: 'query parameters "model" and "version" are required', code: 'E_QUERY' });
    return canaryFor(db, config, keys.app, model, version, { from: time('from', from), to: time('to', to) }, { registry, now: config.now?.() });
  });

  app.get('/metrics', async (request, reply) => {
    const keys = auth(request, 'read');
    return reply.type('text/plain; version=0.0.4').send(await renderMetrics(db, config, keys.app, registry));
  });

  app.post('/v1/admin/retention', async (request) => {
    auth(request, 'admin');
    return pruneExpired(db, config);
  });

  registerDashboard(app);
  // For load balancers: 503 while the database is unreachable, so traffic goes elsewhere.
  app.get('/healthz', async () => {
    await db.query('SELECT 1');
    return { ok: true, database: db.kind };
  });

  const prune = () => void pruneExpired(db, config).catch(() => undefined);
  // Windows expire at most one window length apart; a minute is fine-grained enough either way.
  const timer = setInterval(prune, Math.max(60_000, Math.min(config.windowMs, 600_000)));
  timer.unref();
  prune();
  roller.start();
  // One evaluation at a time per process; several processes are de-duplicated in the database.
  const alerts = new AlertEvaluator(db, config, registry);
  let evaluating: Promise<unknown> = Promise.resolve();
  const evaluate = () => {
    evaluating = evaluating.then(() => alerts.evaluate()).catch(() => undefined);
  };
  const alertTimer = setInterval(evaluate, config.alertIntervalMs);
  alertTimer.unref();
  const otlp = config.otlp;
  const otlpTimer = otlp && setInterval(() => void exportOtlp(otlp, db, config, registry).catch(() => undefined), otlp.intervalMs);
  otlpTimer?.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearInterval(alertTimer);
    clearInterval(otlpTimer);
    await evaluating;
    await queue.drained();
    await roller.stop();
    // Pending rows are durable and read exactly; rolling them up now just leaves less to do later.
    await rollUpAll(db).catch(() => undefined);
  });
  return app;
}
