import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from './engine.js';
import { fetchBytes, resolveArtifact } from './model-source.js';

/** Every ModelSource form, resolved with a real HTTP server (fetchBytes) or a recording reader. */
let base = '';
const server = createServer((req, res) => {
  const path = new URL(req.url!, 'http://x').pathname;
  if (path === '/m/model.json') return void res.writeHead(200).end('{"weights":["w1.bin"]}');
  if (path === '/m/w1.bin') return void res.writeHead(200).end(Buffer.from([1, 2, 3]));
  res.writeHead(404, 'Not Found').end();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An engine whose entry names its companion files (as a TF.js model.json names its shards). */
const engine = {
  companionFiles: (entry: string, bytes: Uint8Array) => (entry.endsWith('.json') ? (JSON.parse(new TextDecoder().decode(bytes)) as { weights: string[] }).weights : []),
} as unknown as Engine;

describe('fetchBytes', () => {
  it('returns the body, and turns HTTP and network errors into ModelSourceError naming the URL', async () => {
    expect([...(await fetchBytes(`${base}/m/w1.bin`))]).toEqual([1, 2, 3]);
    await expect(fetchBytes(`${base}/m/none.onnx`)).rejects.toMatchObject({ code: 'E_MODEL_SOURCE', message: `Could not fetch ${base}/m/none.onnx: HTTP 404 Not Found` });
    const error = await fetchBytes('http://127.0.0.1:1/m.onnx').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_MODEL_SOURCE', message: expect.stringMatching(/^Could not fetch http:\/\/127\.0\.0\.1:1\/m\.onnx: /), cause: expect.any(Error) });
  });
});

describe('resolveArtifact', () => {
  it('fetches the entry and its companions next to it, naming the entry after the URL without query or hash', async () => {
    const artifact = await resolveArtifact(`${base}/m/model.json?v=2#x`, engine, fetchBytes);
    expect(artifact.entry).toBe('model.json');
    expect(Object.keys(artifact.files)).toEqual(['model.json', 'w1.bin']);
    expect([...artifact.files['w1.bin']!]).toEqual([1, 2, 3]);
    const url = await resolveArtifact(new URL(`${base}/m/model.json`), engine, fetchBytes);
    expect(url.entry).toBe('model.json');
  });

  it('resolves companions of a plain file path beside it, and of a bare name as given', async () => {
    const asked: string[] = [];
    const read = async (path: string) => {
      asked.push(path);
      return path.endsWith('.json') ? new TextEncoder().encode('{"weights":["w1.bin"]}') : new Uint8Array([9]);
    };
    await resolveArtifact('/models/m/model.json', engine, read);
    await resolveArtifact('model.json', engine, read);
    await resolveArtifact('/model.json', engine, read);
    expect(asked).toEqual(['/models/m/model.json', '/models/m/w1.bin', 'model.json', 'w1.bin', '/model.json', '/w1.bin']);
    // A URL that ends in a slash names its entry "model".
    expect((await resolveArtifact('/models/m/', engine, read)).entry).toBe('model');
  });

  it('wraps bytes as an artifact with entry "model", and checks a given artifact', async () => {
    const bytes = new Uint8Array([1, 2]);
    expect(await resolveArtifact(bytes, engine, fetchBytes)).toEqual({ entry: 'model', files: { model: bytes } });
    expect(await resolveArtifact(bytes.buffer, engine, fetchBytes)).toEqual({ entry: 'model', files: { model: new Uint8Array([1, 2]) } });
    const artifact = { entry: 'a.onnx', files: { 'a.onnx': bytes } };
    expect(await resolveArtifact(artifact, engine, fetchBytes)).toBe(artifact);
    await expect(resolveArtifact({ entry: 'b.onnx', files: { 'a.onnx': bytes, 'c.bin': bytes } }, engine, fetchBytes)).rejects.toMatchObject({
      code: 'E_MODEL_SOURCE',
      message: 'Artifact entry "b.onnx" is not among its files: a.onnx, c.bin.',
    });
    await expect(resolveArtifact(42 as never, engine, fetchBytes)).rejects.toThrow(new TypeError('loadModel(): "source" must be a URL, a path, an ArrayBuffer, a Uint8Array or {entry, files}; received number.'));
    await expect(resolveArtifact({ entry: 'x' } as never, engine, fetchBytes)).rejects.toThrow(/received object/);
  });
});
