import { fork } from 'node:child_process';
const url = process.argv[2]!;
const n = Number(process.argv[3] ?? 10000);
const { readFile } = await import('node:fs/promises');
const sample = JSON.parse(await readFile('/tmp/sample.json', 'utf8'));
const results = await Promise.all([0, 1].map(() => new Promise<any>((resolve) => {
  const c = fork('/work/wt-13/bench/collector-load.ts', [], { execArgv: ['--import', 'tsx'] });
  c.send({ urls: [url], reports: n / 2, concurrency: 32, ingestKey: 'bench-in', sample, hours: 1 });
  c.once('message', resolve);
})));
const lat = results.flatMap((r) => r.latencies).sort((a: number, b: number) => a - b);
console.log('reports/s', (lat.length / Math.max(...results.map((r) => r.seconds))).toFixed(0), 'p50', lat[lat.length >> 1].toFixed(1), 'p99', lat[Math.floor(lat.length * 0.99)].toFixed(1), JSON.stringify(results.map((r) => r.statuses)));
