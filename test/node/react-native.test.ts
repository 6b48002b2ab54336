/**
 * The React Native path, run in Node with everything real except the two native modules that
 * cannot run off a phone: onnxruntime-react-native (onnxruntime-web implements the same
 * onnxruntime-common API) and react-native-fs (its API on node:fs, strict semantics kept).
 * Real HTTP model server, real collector, the real store, cache, uplink and outbox code.
 */
import { randomFillSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_APP, startCollector, type RunningCollector } from '@edgewise/collector';
import { tensor, type Model } from '@edgewise/core';
import { createNodeRuntime } from '@edgewise/node';
import { base64ToBytes, bytesToBase64, createReactNativeRuntime, reactNativeFileSystem, type OrtReactNative } from '@edgewise/react-native';
import { FileSystemStore, ModelCache } from '@edgewise/store';
import { KeyValueOutbox, createUplink, type KeyValueStorage } from '@edgewise/uplink';
import fc from 'fast-check';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportId } from '../../packages/uplink/src/report-id.js';
import { reactNativeFsOnNode } from '../contract/react-native-fs-on-node.js';
import { startFaultServer } from '../fault-server.js';

const generated = fileURLToPath(new URL('../../models/generated/', import.meta.url));
const ort = ortWeb as unknown as OrtReactNative;
const digitLike = () => Float32Array.from({ length: 784 }, (_, i) => ((i % 28) > 10 && (i % 28) < 16 && i > 100 && i < 680 ? 1 : 0));

let server: Awaited<ReturnType<typeof startFaultServer>>;
let collector: RunningCollector;
beforeAll(async () => {
  server = await startFaultServer(generated);
  collector = await startCollector({ port: 0, host: '127.0.0.1', databaseUrl: undefined, dataDir: undefined, privacy: false });
}, 60_000);
afterAll(async () => {
  await server.close();
  await collector.close();
});

describe('React Native runtime (Node path)', () => {
  it('loads a manifest model through the file-system cache, skipping a provider this build lacks', async () => {
    const fs = reactNativeFsOnNode();
    const cacheDir = await mkdtemp(join(tmpdir(), 'edgewise-rn-'));
    const runtime = createReactNativeRuntime({ ort, backends: ['coreml', 'cpu'], fileSystem: reactNativeFileSystem(fs), cacheDir });
    const progress: number[] = [];
    const model = await runtime.loadModel({ manifest: `${server.url}/mnist/manifest.json`, onProgress: (p) => progress.push(p.loaded / p.total) });
    expect(model.backend).toBe('cpu');
    expect(model.attempts.map((a) => [a.backend, a.outcome])).toEqual([
      ['coreml', 'failed'],
      ['cpu', 'selected'],
    ]);
    expect(progress.at(-1)).toBe(1);
    expect(fs.calls).toContain('moveFile'); // installed through the react-native-fs adapter

    // Same answer as the Node runtime on the same (int8, latest) model.
    const x = digitLike();
    const ours = await model.run({ input: tensor('float32', x.slice(), [1, 784]) });
    const node = await createNodeRuntime().loadModel({ source: `${generated}mnist/model-int8.onnx`, engine: 'onnx' });
    const theirs = await node.run({ input: tensor('float32', x.slice(), [1, 784]) });
    expect(Array.from(ours.probabilities!.data as Float32Array)).toEqual(Array.from(theirs.probabilities!.data as Float32Array));

    // Offline next launch: a new runtime on the same directory serves the cached, verified version.
    server.setFault({ mode: 'offline' });
    try {
      const again = await createReactNativeRuntime({ ort, backends: ['cpu'], fileSystem: reactNativeFileSystem(reactNativeFsOnNode()), cacheDir }).loadModel({ manifest: `${server.url}/mnist/manifest.json` });
      const out = await again.run({ input: tensor('float32', x.slice(), [1, 784]) });
      expect(Array.from(out.probabilities!.data as Float32Array)).toEqual(Array.from(theirs.probabilities!.data as Float32Array));
    } finally {
      server.setFault({ mode: 'ok' });
    }
    await Promise.all([model.dispose(), node.dispose()]);
  }, 60_000);

  it("installs with React Native's fetch, which has no body stream (whole-body read, one progress step)", async () => {
    const rnFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const r = await fetch(input, init);
      const bytes = await r.arrayBuffer();
      return { ok: r.ok, status: r.status, statusText: r.statusText, headers: r.headers, body: undefined, arrayBuffer: async () => bytes, json: async () => JSON.parse(new TextDecoder().decode(bytes)), text: async () => new TextDecoder().decode(bytes) } as unknown as Response;
    }) as typeof fetch;
    const store = new FileSystemStore(reactNativeFileSystem(reactNativeFsOnNode()), await mkdtemp(join(tmpdir(), 'edgewise-rn-')));
    const steps: number[] = [];
    const cached = await new ModelCache(store, { fetch: rnFetch }).load(`${server.url}/silero-vad/manifest.json`, { onProgress: (p) => steps.push(p.loaded) });
    expect(cached.version).toBe('5.0.0');
    expect(steps).toEqual([cached.files['silero_vad_v5.onnx']!.byteLength]);
    // A truncated body is still caught without a stream.
    server.setFault({ mode: 'truncate', match: /silero_vad_v5\.onnx$/ });
    try {
      const fresh = new FileSystemStore(reactNativeFileSystem(reactNativeFsOnNode()), await mkdtemp(join(tmpdir(), 'edgewise-rn-')));
      await expect(new ModelCache(fresh, { fetch: rnFetch }).load(`${server.url}/silero-vad/manifest.json`)).rejects.toMatchObject({ code: 'E_INTEGRITY' });
    } finally {
      server.setFault({ mode: 'ok' });
    }
  }, 60_000);

  it('reports aggregates through an AsyncStorage-style outbox to a real collector', async () => {
    const storage = new Map<string, string>();
    const asyncStorage: KeyValueStorage = {
      getItem: async (k) => storage.get(k) ?? null,
      setItem: async (k, v) => void storage.set(k, v),
      removeItem: async (k) => void storage.delete(k),
      getAllKeys: async () => [...storage.keys()],
    };
    const model: Model = await createReactNativeRuntime({ ort, backends: ['cpu'] }).loadModel({ source: `${server.url}/mnist/model-int8.onnx`, engine: 'onnx' });
    for (let i = 0; i < 3; i++) await model.run({ input: tensor('float32', digitLike(), [1, 784]) });
    const uplink = createUplink({ endpoint: `${collector.url}/v1/reports`, ingestKey: DEMO_APP.ingestKey, source: model, model: 'mnist-rn', modelVersion: '1.1.0', outbox: new KeyValueOutbox(asyncStorage), privacy: false });
    server.setFault({ mode: 'ok' });
    const report = await uplink.collect();
    expect([...storage.keys()]).toEqual([`edgewise-outbox:${report!.id}`]);
    expect(await uplink.flush()).toMatchObject({ sent: 1, pending: 0 });
    expect(storage.size).toBe(0);
    const listed = await (await fetch(`${collector.url}/v1/models`, { headers: { authorization: `Bearer ${DEMO_APP.readKey}` } })).json();
    expect(listed.models).toContainEqual({ model: 'mnist-rn', version: '1.1.0', reports: 1 });
    await model.dispose();
  }, 60_000);

  it('refuses half a cache configuration and a missing ort module with TypeErrors', () => {
    expect(() => createReactNativeRuntime({ ort, cacheDir: '/x' })).toThrow(/"fileSystem" and "cacheDir" go together/);
    expect(() => createReactNativeRuntime({ ort: {} as OrtReactNative })).toThrow(/onnxruntime-react-native module as `ort`/);
  });
});

describe('portable pieces React Native needs', () => {
  it('base64 matches Buffer both ways', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => bytesToBase64(b) === Buffer.from(b).toString('base64') && Buffer.from(base64ToBytes(bytesToBase64(b))).equals(Buffer.from(b))));
    expect(() => base64ToBytes('ab$d')).toThrow(/Invalid base64 character "\$"/);
  });
  it('report ids are v4 UUIDs without crypto.randomUUID (getRandomValues only, as with react-native-get-random-values)', () => {
    vi.stubGlobal('crypto', { getRandomValues: (b: Uint8Array) => randomFillSync(b) });
    try {
      const ids = new Set(Array.from({ length: 1000 }, reportId));
      expect(ids.size).toBe(1000);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
