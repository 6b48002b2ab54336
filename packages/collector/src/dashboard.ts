import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

/** Read once, lazily: the package's assets/ folder sits beside both src/ and dist/. */
let files: Map<string, { type: string; body: string }> | undefined;

function assets(): Map<string, { type: string; body: string }> {
  if (files) return files;
  const own = (name: string) => readFileSync(new URL(`../assets/${name}`, import.meta.url), 'utf8');
  // uPlot (≈50 kB, MIT, maintained) served from node_modules: the collector stays one process with
  // no CDN, so the CSP can say script-src 'self'.
  const uplot = (file: string) => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8');
  files = new Map([
    ['/', { type: 'text/html; charset=utf-8', body: own('dashboard.html') }],
    ['/dashboard.js', { type: 'text/javascript; charset=utf-8', body: own('dashboard.js') }],
    ['/dashboard.css', { type: 'text/css; charset=utf-8', body: own('dashboard.css') }],
    ['/assets/uplot.js', { type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    ['/assets/uplot.css', { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
  return files;
}

/**
 * The dashboard: a static page, its script and uPlot, all from this origin. The page holds no data:
 * it asks for a read key (kept in sessionStorage, for this tab only) and reads the JSON API.
 */
export function registerDashboard(app: FastifyInstance): void {
  for (const path of ['/', '/dashboard.js', '/dashboard.css', '/assets/uplot.js', '/assets/uplot.css']) {
    app.get(path, async (_request, reply) => {
      const file = assets().get(path)!;
      return reply.type(file.type).send(file.body);
    });
  }
}
