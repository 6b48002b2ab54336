import { IndexedDBStore } from '@edgewise/store';
import { storeAdapterContract } from '../contract/store-adapter-contract.js';

let n = 0;
storeAdapterContract('indexeddb', async () => new IndexedDBStore(`edgewise-contract-${Date.now()}-${n++}`));
