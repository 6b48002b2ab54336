import { IndexedDBOutbox } from '@edgewise/uplink';
import { openDB } from 'idb';
import { outboxContract } from '../contract/outbox-contract.js';

let n = 0;
const unique = () => `edgewise-outbox-test-${Date.now()}-${n++}`;

// The outbox a web app's uplink uses by default in the script-tag build: real IndexedDB in real Chromium.
outboxContract('indexeddb (real Chromium)', {
  make: async () => new IndexedDBOutbox(unique()),
  reopen: async (box) => new IndexedDBOutbox((box as IndexedDBOutbox).name),
  // Not a report: what an older format or a foreign write would leave in the store.
  damage: async (box) => {
    const db = await openDB((box as IndexedDBOutbox).name, 1);
    await db.put('reports', { id: 'torn', v: 1 });
    db.close();
  },
});
