import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO } from './pack.js';

/** The checked-in API reports (api/*.api.md) match the built packages: a surface change shows in review. */
it('API reports are up to date with the public surface (npm run api to accept a change)', async () => {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/api-report.ts', '--check'], { cwd: REPO }).catch((e: { stdout: string; stderr: string }) => {
    throw new Error(`${e.stdout}\n${e.stderr}`);
  });
  expect(stdout).toMatch(/0 stale/);
}, 180_000);
