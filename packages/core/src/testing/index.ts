/** `@edgewise/core/testing`: fault injection for tests and chaos drills. Not for production code paths. */
export { withFaults, type Fault, type FaultController, type FaultyEngine, type SessionCounts } from './fault-injection.js';
