import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector, type RunningCollector } from '@edgewise/collector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../collector-client.js';
import { pastWindows, postFleetWindow, registerWeatherBaseline } from '../fleet-windows.js';

// Debian's prometheus package (.ci/run installs it): promtool and the server itself.
const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';
const installed = spawnSync(PROMTOOL, ['--version']).status === 0;
if (!installed) console.warn(`[collector-prometheus] promtool/Prometheus part skipped: ${PROMTOOL} missing (apt-get install prometheus; .ci/run does).`);
const RULES = fileURLToPath(new URL('../../deploy/prometheus/edgewise-rules.yml', import.meta.url));
const GRAFANA = fileURLToPath(new URL('../../deploy/grafana/edgewise-dashboard.json', import.meta.url));
const APP = { app: 'prom', ingestKey: 'prom-in', readKey: 'prom-read', adminKey: 'prom-admin' };

let collector: RunningCollector;
let metrics: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  collector = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 3, privacy: false }); // exact releases: the metric format is under test; the noisy path is in privacy-attacks
  await registerWeatherBaseline(collector.url, APP.adminKey, '1.0.0');
  const [w0, w1, w2, w3] = pastWindows(4);
  for (const w of [w0!, w1!, w2!]) await postFleetWindow(collector.url, APP.ingestKey, { version: '1.0.0', windowStart: w, devices: 4, errorsPerDevice: 1 });
  await postFleetWindow(collector.url, APP.ingestKey, { version: '1.0.0', windowStart: w3!, devices: 2 }); // withheld: below k
  // A label value that needs escaping, and a version without a baseline.
  await postFleetWindow(collector.url, APP.ingestKey, { model: 'we"ird\\name', version: '2.0.0', windowStart: w2!, devices: 3 });
  metrics = (await send(collector.url, '/metrics', { key: APP.readKey })).json as string;
}, 60_000);
afterAll(() => collector?.close());

describe('/metrics follows Prometheus conventions', () => {
  it('names units and counters as Prometheus wants, with model/version/feature labels', () => {
    expect(metrics).toMatch(/^# TYPE edgewise_inference_latency_seconds histogram$/m);
    expect(metrics).toMatch(/^edgewise_inference_latency_seconds_sum\{model="weather",version="1.0.0"\} \d/m);
    expect(metrics).toMatch(/^edgewise_inference_latency_seconds_count\{model="weather",version="1.0.0"\} 480$/m);
    expect(metrics).toMatch(/^edgewise_runs_total\{model="weather",version="1.0.0"\} 480$/m);
    expect(metrics).toMatch(/^edgewise_errors_total\{model="weather",version="1.0.0"\} 12$/m);
    expect(metrics).toMatch(/^edgewise_windows_withheld_total\{model="weather",version="1.0.0"\} 1$/m);
    expect(metrics).toMatch(/^edgewise_feature_drift_jensen_shannon\{model="weather",version="1.0.0",feature="temp_max"\} 0\.\d+/m);
    expect(metrics).toContain('model="we\\"ird\\\\name"');
    expect(metrics).not.toMatch(/_ms\b|latency_ms/);
    for (const family of new Set(metrics.match(/^edgewise_[a-z_]+/gm)!.map((n) => n.replace(/_(bucket|sum|count)$/, '')))) {
      expect(metrics, family).toContain(`# HELP ${family} `);
      expect(metrics, family).toContain(`# TYPE ${family} `);
    }
  });
});

describe.skipIf(!installed)('promtool and a real Prometheus server', () => {
  it('promtool check metrics finds nothing in a live /metrics', () => {
    const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('promtool check rules accepts the shipped rules file', () => {
    const r = spawnSync(PROMTOOL, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('a Prometheus server scrapes the collector with the read key; the series and the Grafana queries work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgewise-prometheus-'));
    const port = await freePort();
    const target = new URL(collector.url).host;
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${RULES}\nscrape_configs:\n  - job_name: edgewise\n    authorization:\n      type: Bearer\n      credentials: ${APP.readKey}\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    let server: ChildProcess | undefined;
    let log = '';
    try {
      server = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      server.stderr!.on('data', (d) => (log += d));
      const api = async (path: string) => (await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`)).json()) as { status: string; data: any };
      const query = (expr: string) => api(`query?query=${encodeURIComponent(expr)}`);
      let runs: any[] = [];
      for (let i = 0; i < 60 && runs.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 500));
        runs = await query('edgewise_runs_total{model="weather"}').then((r) => r.data.result, () => []);
      }
      expect(runs, log.slice(-2000)).toHaveLength(1);
      expect(runs[0].metric).toMatchObject({ job: 'edgewise', model: 'weather', version: '1.0.0' });
      expect(Number(runs[0].value[1])).toBe(480);
      expect((await query('up{job="edgewise"}')).data.result[0].value[1]).toBe('1');
      const drift = await query('edgewise_feature_drift_jensen_shannon{model="weather"}');
      expect(drift.data.result.map((r: any) => r.metric.feature).sort()).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
      // The shipped rules load into a real server.
      const groups = (await api('rules')).data.groups.map((g: any) => g.name).sort();
      expect(groups).toEqual(['edgewise-alerts', 'edgewise-recording']);
      // Every Grafana query parses and names only metrics the collector exports.
      const dashboard = JSON.parse(await readFile(GRAFANA, 'utf8'));
      const exprs: string[] = dashboard.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr));
      expect(exprs.length).toBeGreaterThan(8);
      for (const expr of exprs) {
        const concrete = expr.replaceAll('$model', '.*').replaceAll('$version', '.*');
        expect((await query(concrete)).status, expr).toBe('success');
        // edgewise_window_value appears once the collector has accuracy/shadow/canary series (none here).
        for (const name of (concrete.match(/edgewise_[a-z_]+/g) ?? []).filter((n) => n !== 'edgewise_window_value')) expect(metrics, `${name} in ${expr}`).toContain(`# TYPE ${name.replace(/_(bucket|sum|count)$/, '')} `);
      }
    } finally {
      server?.kill('SIGTERM');
      await new Promise((r) => (server && server.exitCode === null ? server.once('exit', r) : r(undefined)));
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
