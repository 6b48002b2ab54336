/** One app: reports come in with its ingest key (write-only); its data is read with its read key. */
export interface AppKeys {
  app: string;
  ingestKey: string;
  readKey: string;
}

export interface CollectorConfig {
  port: number;
  host: string;
  /** PostgreSQL URL; absent: embedded PGlite in dataDir (or in memory when dataDir is absent). */
  databaseUrl?: string;
  dataDir?: string;
  apps: AppKeys[];
  /** Drift and distributions are withheld until at least k reports (devices) contributed. */
  k: number;
  /** Laplace noise (scale 1/epsilon) on released counts; absent: none. */
  epsilon?: number;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  /** Reports per minute per ingest key. */
  ratePerMinute: number;
  /** Window length in ms that reports are merged into (default one hour). */
  windowMs: number;
}

/** The development app `npm start` uses; override with EDGEWISE_APPS=app:ingest:read,… */
export const DEMO_APP: AppKeys = { app: 'demo', ingestKey: 'demo-ingest-key', readKey: 'demo-read-key' };

function parseApps(text: string): AppKeys[] {
  return text.split(',').map((entry) => {
    const [app, ingestKey, readKey] = entry.split(':');
    if (!app || !ingestKey || !readKey) throw new RangeError(`EDGEWISE_APPS: "${entry}" should be app:ingestKey:readKey`);
    return { app, ingestKey, readKey };
  });
}

const int = (name: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer; received ${value}`);
  return n;
};

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  return {
    port: int('PORT', env.PORT, 8787),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.COLLECTOR_DATA_DIR ?? '.collector-data',
    apps: env.EDGEWISE_APPS ? parseApps(env.EDGEWISE_APPS) : [DEMO_APP],
    k: int('COLLECTOR_K', env.COLLECTOR_K, 5),
    epsilon: env.COLLECTOR_EPSILON ? Number(env.COLLECTOR_EPSILON) : undefined,
    bodyLimit: int('COLLECTOR_BODY_LIMIT', env.COLLECTOR_BODY_LIMIT, 256 * 1024),
    ratePerMinute: int('COLLECTOR_RATE_PER_MINUTE', env.COLLECTOR_RATE_PER_MINUTE, 6000),
    windowMs: int('COLLECTOR_WINDOW_MS', env.COLLECTOR_WINDOW_MS, 3_600_000),
  };
}
