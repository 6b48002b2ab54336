/**
 * The Edgewise worker entry (`@edgewise/web/worker`): serves models with the browser engines.
 * A worker entry of your own can call serveModels() with other engines.
 */
import { serveModels } from './worker-service.js';

serveModels();
