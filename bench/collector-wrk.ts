/**
 * Load from wrk (a C HTTP benchmarking tool: `apt-get install wrk`) instead of Node load
 * generators. On this 2-core machine the load generator shares the cores with the collector and
 * PostgreSQL, and a Node HTTP client costs ~100–170 µs of CPU per request (node:http, undici and
 * autocannon measured alike) — more than the collector spends on the report — so with Node clients
 * the bench measures the client as much as the server. wrk costs a few µs per request.
 * One wrk process per collector URL; the script (collector-wrk.lua) gives each report a fresh id.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WrkResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  socketErrors: number;
  statuses: Record<string, number>;
  cpuSeconds: number;
}

export function haveWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version: it exists when the error is not ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

const script = fileURLToPath(new URL('./collector-wrk.lua', import.meta.url));
const TICKS = 100; // USER_HZ on Linux

/**
 * Runs wrk against one collector for `seconds`. wrk runs under a shell that prints its own
 * /proc stat after wrk exits: cutime + cstime there are wrk's CPU seconds.
 */
function runOne(url: string, seconds: number, connections: number, threads: number, template: string, ingestKey: string, hours: number): Promise<WrkResult> {
  const prefix = randomBytes(4).toString('hex');
  const args = ['-c', 'wrk -t"$1" -c"$2" -d"$3"s --timeout 30s -s "$4" "$5" -- "$6" "$7" "$8" "$9"; cat /proc/$$/stat', 'sh', String(threads), String(connections), String(seconds), script, url, template, ingestKey, String(hours), prefix];
  return new Promise((resolve, reject) => {
    execFile('sh', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const line = /WRK_RESULT (\{.*\})/.exec(stdout);
      if (error || !line) return reject(new Error(`wrk failed: ${error?.message ?? ''} ${stderr} ${stdout}`));
      const stat = stdout.trim().split('\n').pop()!.split(') ')[1]!.split(' ');
      const cpuSeconds = (Number(stat[13]) + Number(stat[14])) / TICKS;
      resolve({ ...(JSON.parse(line[1]!) as Omit<WrkResult, 'cpuSeconds'>), cpuSeconds });
    });
  });
}

/**
 * wrk against every URL at once, `connections` in total split across them. Latency percentiles
 * are per wrk process: p50 is their request-weighted mean, p99 the worst of them (an upper bound).
 */
export async function wrkLoad(urls: string[], seconds: number, connections: number, threads: number, sample: Record<string, unknown>, ingestKey: string, hours: number) {
  const template = join(tmpdir(), `edgewise-wrk-${process.pid}.json`);
  writeFileSync(template, JSON.stringify(sample));
  const per = Math.max(1, Math.round(connections / urls.length));
  const results = await Promise.all(urls.map((u) => runOne(u, seconds, per, Math.max(1, Math.round(threads / urls.length)), template, ingestKey, hours)));
  const requests = results.reduce((s, r) => s + r.requests, 0);
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const errors = results.reduce((s, r) => s + r.socketErrors, 0);
  if (errors) statuses['socket error'] = errors;
  return {
    requests,
    seconds: Math.max(...results.map((r) => r.seconds)),
    p50Ms: results.reduce((s, r) => s + r.p50Ms * r.requests, 0) / requests,
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    statuses,
    cpuSeconds: results.reduce((s, r) => s + r.cpuSeconds, 0),
  };
}
