/**
 * The adapters' contract suites, run on every adapter that can run in Node: engines (web ONNX on
 * onnxruntime-web, the React Native ONNX adapter, TF.js), stores and outboxes. IndexedDB runs the
 * store contract in Chromium (test/browser/indexeddb-store.test.ts).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOnnxEngine, type Ort } from '@edgewise/engine-onnx';
import { createTfjsEngine } from '@edgewise/engine-tfjs';
import { FileOutbox } from '@edgewise/node';
import { createReactNativeOnnxEngine, reactNativeFileSystem, type OrtReactNative } from '@edgewise/react-native';
import { FileSystemStore } from '@edgewise/store';
import { KeyValueOutbox, MemoryOutbox, type KeyValueStorage } from '@edgewise/uplink';
import * as ortWeb from 'onnxruntime-web';
import { engineContract } from '../contract/engine-contract.js';
import { outboxContract } from '../contract/outbox-contract.js';
import { reactNativeFsOnNode } from '../contract/react-native-fs-on-node.js';
import { storeAdapterContract } from '../contract/store-adapter-contract.js';

const generated = fileURLToPath(new URL('../../models/generated/tiny-mlp/', import.meta.url));
const onnxArtifact = async () => ({ entry: 'model.onnx', files: { 'model.onnx': new Uint8Array(await readFile(`${generated}model.onnx`)) } });
const notOnnx = { entry: 'photo.jpg', files: { 'photo.jpg': Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(40).fill(1)]) } };

engineContract('onnx (onnxruntime-web, WASM)', {
  make: () => createOnnxEngine({ loadOrt: async () => ortWeb as unknown as Ort, backends: ['wasm'] }),
  backend: 'wasm',
  artifact: onnxArtifact,
  notAModel: notOnnx,
});

// onnxruntime-react-native cannot run off a phone. Its API is onnxruntime-common's, which
// onnxruntime-web also implements (with 'cpu' registered), so the adapter runs on that here.
engineContract('onnx-react-native adapter (onnxruntime-common API, onnxruntime-web standing in)', {
  make: () => createReactNativeOnnxEngine({ ort: ortWeb as unknown as OrtReactNative, backends: ['cpu'] }),
  backend: 'cpu',
  artifact: onnxArtifact,
  notAModel: notOnnx,
});

engineContract('tfjs (layers model, CPU)', {
  make: () => createTfjsEngine({ backends: ['cpu'] }),
  backend: 'cpu',
  artifact: async () => ({
    entry: 'model.json',
    files: {
      'model.json': new Uint8Array(await readFile(`${generated}tfjs/model.json`)),
      'weights.bin': new Uint8Array(await readFile(`${generated}tfjs/weights.bin`)),
    },
  }),
  notAModel: { entry: 'model.json', files: { 'model.json': new TextEncoder().encode('{"not": "a model"}') } },
});

const tempDir = () => mkdtemp(join(tmpdir(), 'edgewise-contract-'));
storeAdapterContract('FileSystemStore over react-native-fs (its API on node:fs)', async () => new FileSystemStore(reactNativeFileSystem(reactNativeFsOnNode()), await tempDir()));

/** AsyncStorage's API over a Map that outlives outbox instances, as the device's storage does. */
function asyncStorage(map = new Map<string, string>()): KeyValueStorage & { map: Map<string, string> } {
  return {
    map,
    getItem: async (k) => map.get(k) ?? null,
    setItem: async (k, v) => void map.set(k, String(v)),
    removeItem: async (k) => void map.delete(k),
    getAllKeys: async () => [...map.keys()],
  };
}

outboxContract('memory', { make: async () => new MemoryOutbox() });
outboxContract('file (Node, Electron main)', {
  make: async () => new FileOutbox(await tempDir()),
  reopen: async (box) => new FileOutbox((box as FileOutbox).dir),
  damage: async (box) => writeFile(join((box as FileOutbox).dir, 'torn.json'), '{"v":1,"id":"torn'),
});
const storages = new WeakMap<KeyValueOutbox, ReturnType<typeof asyncStorage>>();
outboxContract('key-value (React Native AsyncStorage API)', {
  make: async () => {
    const storage = asyncStorage();
    const box = new KeyValueOutbox(storage);
    storages.set(box, storage);
    return box;
  },
  reopen: async (box) => new KeyValueOutbox(storages.get(box as KeyValueOutbox)!),
  damage: async (box) => void storages.get(box as KeyValueOutbox)!.map.set('edgewise-outbox:torn', '{"v":1,"id":"torn'),
});
