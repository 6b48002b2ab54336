import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH, CROSS_ORIGIN_ISOLATION_HEADERS } from './test/chromium.js';
import { sourceResolution } from './test/source-conditions.js';
import { canaryManifestServer } from './test/browser/canary-manifest-server.js';

export default defineConfig({
  ...sourceResolution,
  server: { headers: CROSS_ORIGIN_ISOLATION_HEADERS },
  // The browser canary test's model server (a manifest whose rollout the test changes between loads).
  plugins: [canaryManifestServer()],
  // Pre-bundling would move ORT away from its .wasm/.mjs siblings, which it finds via import.meta.url.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  worker: { format: 'es' },
  test: {
    // ORT's own WebGPU readback rejects unhandled after a (deliberate) device loss; that one
    // error is expected in the device-loss tests. Anything else still fails the run.
    onUnhandledError: (error) => !/mapAsync.*Device was lost/.test(String((error as Error)?.message ?? error)),
    projects: [
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['packages/*/src/**/*.test.ts', 'test/node/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        // Packed tarballs installed outside the repo, used as a new user would (needs `npm run build`).
        ...sourceResolution,
        test: { name: 'consumer', environment: 'node', include: ['test/consumer/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false },
      },
      {
        // End-to-end: real pages in Chromium driven by Playwright (persistent profiles, network faults).
        ...sourceResolution,
        test: { name: 'e2e', environment: 'node', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
