import { createServer } from 'node:http';
import { startCollector } from '@edgewise/collector';
import { describe, expect, it } from 'vitest';
import { pastWindows, postFleetWindow, registerWeatherBaseline } from '../fleet-windows.js';

const APP = { app: 'otel', ingestKey: 'ot-in', readKey: 'ot-read', adminKey: 'ot-admin' };

describe('OTLP/HTTP metrics export', () => {
  it('posts the /metrics series as OTLP JSON (cumulative sums, histograms, gauges) with the configured headers', async () => {
    const bodies: Array<{ auth: string | undefined; path: string | undefined; body: any }> = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        bodies.push({ auth: req.headers.authorization, path: req.url, body: JSON.parse(raw) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    const c = await startCollector({ port: 0, databaseUrl: undefined, dataDir: undefined, apps: [APP], k: 3, privacy: false, otlp: { endpoint, headers: { authorization: 'Bearer otel-token' }, intervalMs: 200 } });
    try {
      await registerWeatherBaseline(c.url, APP.adminKey, '1.0.0');
      for (const w of pastWindows(3)) await postFleetWindow(c.url, APP.ingestKey, { version: '1.0.0', windowStart: w, devices: 4 });
      const metricsOf = (b: any) => b.resourceMetrics[0].scopeMetrics[0].metrics as any[];
      let last: any[] = [];
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 200));
        last = bodies.length ? metricsOf(bodies.at(-1)!.body) : [];
        if (last.find((m) => m.name === 'edgewise_runs')?.sum.dataPoints[0]?.asDouble === 480) break;
      }
      expect(bodies[0]).toMatchObject({ auth: 'Bearer otel-token', path: '/v1/metrics' });
      expect(bodies.at(-1)!.body.resourceMetrics[0].resource.attributes).toContainEqual({ key: 'edgewise.app', value: { stringValue: 'otel' } });
      const runs = last.find((m) => m.name === 'edgewise_runs');
      expect(runs.sum).toMatchObject({ aggregationTemporality: 2, isMonotonic: true });
      expect(runs.sum.dataPoints[0]).toMatchObject({ asDouble: 480, attributes: [{ key: 'model', value: { stringValue: 'weather' } }, { key: 'version', value: { stringValue: '1.0.0' } }] });
      const latency = last.find((m) => m.name === 'edgewise_inference_latency_seconds');
      expect(latency.unit).toBe('s');
      const point = latency.histogram.dataPoints[0];
      expect(point.count).toBe('480');
      expect(point.bucketCounts).toHaveLength(point.explicitBounds.length + 1);
      expect(point.bucketCounts.reduce((a: number, b: string) => a + Number(b), 0)).toBe(480);
      expect(last.find((m) => m.name === 'edgewise_feature_drift_jensen_shannon').gauge.dataPoints).toHaveLength(4);
    } finally {
      await c.close();
      await new Promise((r) => receiver.close(r));
    }
  }, 60_000);
});
