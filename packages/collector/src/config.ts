import { DEFAULT_ALERT_RULES, parseAlertRules, type AlertRule } from './alert-rules.js';
import { otlpFromEnv, type OtlpTarget } from './otlp-export.js';
import type { WebhookTarget } from './webhook.js';
import { DEFAULT_EPSILON_PER_WINDOW, DEFAULT_PRIVACY_RULES, type PrivacyRules } from '@edgewise/wire';

/**
 * The collector's privacy (README "Privacy"). The device rules (PrivacyRules) are checked on every
 * report (400 naming the field); releases are per closed window, once, stored, with Laplace noise.
 */
export interface CollectorPrivacy extends PrivacyRules {
  /** ε per released window, per device (δ = 0). Split: kShare of it on the device count, the rest on the counts. */
  epsilon: number;
  /** Share of ε spent on the noisy device count that decides withholding (default 0.2). */
  kShare: number;
  /**
   * δ of the release (default 1e-6): a window is listed only when its noisy device count reaches
   * τ = max(k, ⌈1.5 + ln(1/(2δ)) / ε_devices⌉), so a window that only one device reported in
   * (and that would not exist without it) shows up with probability at most δ.
   */
  delta: number;
  /** A window is released this long after it ends (late reports are refused from then on). */
  releaseDelayMs: number;
  /** Class keys released: 0 … releasedClasses-1, the rest as "__other__". */
  releasedClasses: number;
  /**
   * Release delayed-label counts (accuracy, confusion, calibration) per window (default false):
   * three more count groups share ε, so every other series gets about a third more noise.
   */
  releaseLabels: boolean;
  /** Release shadow-evaluation counts per window (default false): four more count groups share ε. */
  releaseShadow: boolean;
  /** Release canary guard verdicts and their evidence per window (default false): two more count groups share ε. */
  releaseCanary: boolean;
}

export const DEFAULT_COLLECTOR_PRIVACY: Readonly<CollectorPrivacy> = Object.freeze({
  ...DEFAULT_PRIVACY_RULES,
  epsilon: DEFAULT_EPSILON_PER_WINDOW,
  kShare: 0.2,
  delta: 1e-6,
  releaseDelayMs: 300_000,
  releasedClasses: 64,
  releaseLabels: false,
  releaseShadow: false,
  releaseCanary: false,
});

/**
 * One app's keys by role (see keys.ts): ingest (devices, write-only), read (dashboard, scrapers),
 * admin (baselines, retention). Each role takes one key or two (the old and the new while rotating);
 * a key written `sha256-<64 hex>` is the SHA-256 of the key, so the plain key need not be configured.
 */
export interface AppKeys {
  app: string;
  ingestKey: string | readonly string[];
  readKey: string | readonly string[];
  /** Absent: baselines cannot be registered over HTTP for this app. */
  adminKey?: string | readonly string[];
}

export interface CollectorConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; absent: embedded PGlite in dataDir (or in memory when dataDir is absent). */
  databaseUrl?: string;
  dataDir?: string;
  apps: AppKeys[];
  /** A window is withheld unless its (noisy) count of distinct device tokens reaches k. */
  k: number;
  /**
   * On by default. `false`: development mode, every read exact and live over all windows, no noise,
   * reports without tokens accepted (never in production: one device's inputs can be read back).
   */
  privacy: CollectorPrivacy | false;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Schema-valid reports per minute per app, counted in the database across all processes; 0: no limit. */
  ratePerMinute: number;
  /** Window length in ms that reports are merged into (default one hour); windows start on multiples of it. */
  windowMs: number;
  /** Windows (and the report ids counted into them) are deleted this long after they start. */
  retentionMs: number;
  /** A report with more runs (or errors, rejections, fallbacks) than this is refused. */
  maxRunsPerReport: number;
  /** Batch items one run may contribute to feature, confidence and class counts (inputs of shape [batch, …]). */
  maxItemsPerRun: number;
  /** Reports whose window ends further than this in the future are refused (device clocks). */
  maxClockSkewMs: number;
  /** Categories a baseline may declare per categorical feature (the vocabulary reports are folded into). */
  maxCategoriesPerFeature: number;
  /** Class indices at or above this are counted as "__other__". */
  maxClasses: number;
  /** PostgreSQL connections per process. */
  databasePoolSize: number;
  /** A statement (or waiting for a connection) longer than this fails with 503. */
  databaseTimeoutMs: number;
  /** Reports written in one transaction at most (group commit). */
  batchMaxReports: number;
  /** Batches one process writes concurrently. */
  batchConcurrency: number;
  /** How long a process trusts its copy of a registered baseline (another process may replace it). */
  baselineCacheMs: number;
  /** The clock (ms since the epoch): window closing, releases, skew. Tests pass their own. */
  now?: () => number;
  /** How often a process moves pending reports into the window rollups (also after enough reports). */
  rollupIntervalMs: number;
  /** Rules evaluated on each closed window (alert-rules.ts); empty: no alerting. */
  alertRules: readonly AlertRule[];
  /** Where firings are POSTed, signed with HMAC-SHA256; absent: firings are only recorded and shown. */
  alertWebhook?: WebhookTarget;
  /** How often closed windows are looked at for alerts. */
  alertIntervalMs: number;
  /** OTLP/HTTP metrics export of the /metrics series (OTEL_EXPORTER_OTLP_ENDPOINT); absent: none. */
  otlp?: OtlpTarget;
}

/** The development app `npm start` uses; override with EDGEWISE_APPS=app:ingest:read:admin,… */
export const DEMO_APP = { app: 'demo', ingestKey: 'demo-ingest-key', readKey: 'demo-read-key', adminKey: 'demo-admin-key' } as const satisfies AppKeys;

/** `app:ingest:read[:admin]`, each role one key or two separated by `|` (rotation). */
export function parseApps(text: string): AppKeys[] {
  return text.split(',').map((entry) => {
    const [app, ingest, read, admin, ...rest] = entry.split(':');
    if (!app || !ingest || !read || rest.length) throw new RangeError(`EDGEWISE_APPS: "${entry.replace(/:.*/, ':…')}" should be app:ingestKey:readKey[:adminKey], each key one or two separated by "|"`);
    const keys = (k: string) => k.split('|');
    return { app, ingestKey: keys(ingest), readKey: keys(read), ...(admin ? { adminKey: keys(admin) } : {}) };
  });
}

const int = (name: string, value: string | undefined, fallback: number, min = 0) => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}; received ${value}`);
  return n;
};

const DAY_MS = 86_400_000;

/** Every default, for callers that build a config in code (tests, benchmarks). */
export const DEFAULTS: Omit<CollectorConfig, 'apps'> = {
  port: 8787,
  host: '127.0.0.1',
  dataDir: '.collector-data',
  k: 5,
  privacy: DEFAULT_COLLECTOR_PRIVACY,
  bodyLimit: 256 * 1024,
  ratePerMinute: 6000,
  windowMs: 3_600_000,
  retentionMs: 90 * DAY_MS,
  maxRunsPerReport: 1_000_000,
  maxItemsPerRun: 64,
  maxClockSkewMs: DAY_MS,
  maxCategoriesPerFeature: 1024,
  maxClasses: 4096,
  databasePoolSize: 10,
  databaseTimeoutMs: 10_000,
  batchMaxReports: 256,
  batchConcurrency: 1,
  baselineCacheMs: 2000,
  rollupIntervalMs: 250,
  alertRules: DEFAULT_ALERT_RULES,
  alertIntervalMs: 60_000,
};

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const d = DEFAULTS;
  return {
    ...d,
    port: int('PORT', env.PORT, d.port),
    host: env.HOST ?? d.host,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.COLLECTOR_DATA_DIR ?? d.dataDir,
    apps: env.EDGEWISE_APPS ? parseApps(env.EDGEWISE_APPS) : [DEMO_APP],
    k: int('COLLECTOR_K', env.COLLECTOR_K, d.k),
    privacy: privacyFromEnv(env),
    bodyLimit: int('COLLECTOR_BODY_LIMIT', env.COLLECTOR_BODY_LIMIT, d.bodyLimit, 1),
    ratePerMinute: int('COLLECTOR_RATE_PER_MINUTE', env.COLLECTOR_RATE_PER_MINUTE, d.ratePerMinute),
    windowMs: int('COLLECTOR_WINDOW_MS', env.COLLECTOR_WINDOW_MS, d.windowMs, 1),
    retentionMs: int('COLLECTOR_RETENTION_MS', env.COLLECTOR_RETENTION_MS, d.retentionMs, 1),
    maxRunsPerReport: int('COLLECTOR_MAX_RUNS_PER_REPORT', env.COLLECTOR_MAX_RUNS_PER_REPORT, d.maxRunsPerReport, 1),
    maxItemsPerRun: int('COLLECTOR_MAX_ITEMS_PER_RUN', env.COLLECTOR_MAX_ITEMS_PER_RUN, d.maxItemsPerRun, 1),
    databasePoolSize: int('COLLECTOR_DB_POOL', env.COLLECTOR_DB_POOL, d.databasePoolSize, 1),
    databaseTimeoutMs: int('COLLECTOR_DB_TIMEOUT_MS', env.COLLECTOR_DB_TIMEOUT_MS, d.databaseTimeoutMs, 1),
    batchMaxReports: int('COLLECTOR_BATCH_MAX', env.COLLECTOR_BATCH_MAX, d.batchMaxReports, 1),
    batchConcurrency: int('COLLECTOR_BATCH_CONCURRENCY', env.COLLECTOR_BATCH_CONCURRENCY, d.batchConcurrency, 1),
    rollupIntervalMs: int('COLLECTOR_ROLLUP_INTERVAL_MS', env.COLLECTOR_ROLLUP_INTERVAL_MS, d.rollupIntervalMs, 1),
    alertRules: env.COLLECTOR_ALERT_RULES ? parseAlertRules(JSON.parse(env.COLLECTOR_ALERT_RULES)) : d.alertRules,
    alertWebhook: webhookFromEnv(env),
    alertIntervalMs: int('COLLECTOR_ALERT_INTERVAL_MS', env.COLLECTOR_ALERT_INTERVAL_MS, d.alertIntervalMs, 1),
    otlp: otlpFromEnv(env),
  };
}

/** COLLECTOR_PRIVACY=off turns privacy off; COLLECTOR_EPSILON, COLLECTOR_CONTRIBUTION_BOUND, COLLECTOR_MIN_RUNS, COLLECTOR_RELEASE_DELAY_MS tune it. */
function privacyFromEnv(env: NodeJS.ProcessEnv): CollectorPrivacy | false {
  if (env.COLLECTOR_PRIVACY === 'off') return false;
  const d = DEFAULT_COLLECTOR_PRIVACY;
  const epsilon = env.COLLECTOR_EPSILON ? Number(env.COLLECTOR_EPSILON) : d.epsilon;
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new RangeError(`COLLECTOR_EPSILON must be a positive number; received ${env.COLLECTOR_EPSILON}`);
  return {
    ...d,
    epsilon,
    contributionBound: int('COLLECTOR_CONTRIBUTION_BOUND', env.COLLECTOR_CONTRIBUTION_BOUND, d.contributionBound, 1),
    minRunsPerReport: int('COLLECTOR_MIN_RUNS', env.COLLECTOR_MIN_RUNS, d.minRunsPerReport, 1),
    releaseDelayMs: int('COLLECTOR_RELEASE_DELAY_MS', env.COLLECTOR_RELEASE_DELAY_MS, d.releaseDelayMs),
    releaseLabels: env.COLLECTOR_RELEASE_LABELS === 'on',
    releaseShadow: env.COLLECTOR_RELEASE_SHADOW === 'on',
    releaseCanary: env.COLLECTOR_RELEASE_CANARY === 'on',
  };
}

function webhookFromEnv(env: NodeJS.ProcessEnv): WebhookTarget | undefined {
  const url = env.COLLECTOR_ALERT_WEBHOOK_URL;
  if (!url) return undefined;
  const secret = env.COLLECTOR_ALERT_WEBHOOK_SECRET;
  if (!secret || secret.length < 16) throw new RangeError('COLLECTOR_ALERT_WEBHOOK_SECRET must be set (at least 16 characters) when COLLECTOR_ALERT_WEBHOOK_URL is: receivers verify the HMAC with it');
  return { url: new URL(url).toString(), secret };
}
