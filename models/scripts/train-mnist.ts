/** `npm run models:train`: retrains the MNIST classifier (seeded) and overwrites models/mnist/tfjs. */
import { ensureMnistNetwork } from './mnist-model.js';

const started = Date.now();
await ensureMnistNetwork(true);
console.log(`mnist: trained and saved in ${((Date.now() - started) / 1000).toFixed(0)} s`);
