/**
 * A load generator in its own process (forked by bench/collector.ts): `concurrency` keep-alive
 * connections post reports round-robin over the collector URLs as fast as they are answered, and
 * send back every latency and status. Separate processes, so the client's CPU is not the
 * collector's event loop.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';

export interface LoadJob {
  urls: string[];
  reports: number;
  concurrency: number;
  ingestKey: string;
  /** A report body without id and window; each request gets a fresh id and a window end. */
  sample: Record<string, unknown>;
  /** Window ends are spread over this many hours before now. */
  hours: number;
}

export interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  seconds: number;
  /** CPU this generator spent (user + system), seconds. */
  cpuSeconds: number;
}

function post(agent: Agent, url: URL, body: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: '/v1/reports', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const urls = job.urls.map((u) => new URL(u));
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.reports) {
        const i = next++;
        const end = Date.now() - Math.floor(Math.random() * job.hours) * 3_600_000;
        const body = JSON.stringify({ ...job.sample, id: randomUUID(), window: { start: end - 60_000, end } });
        const t = performance.now();
        const status = await post(agent, urls[i % urls.length]!, body, job.ingestKey).catch(() => 0);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  const used = process.cpuUsage(cpu);
  return { latencies, statuses, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

process.on('message', (job: LoadJob) => {
  void run(job).then((result) => process.send!(result, () => process.exit(0)));
});
