export { Uplink, createUplink, type AggregateSource, type UplinkEvent, type UplinkOptions } from './uplink.js';
export { MemoryOutbox, IndexedDBOutbox, type Outbox } from './outbox.js';
export { fetchTransport, type Transport } from './transport.js';
export { protectCounts, type PrivacyOptions } from './privacy.js';
export { KeyValueOutbox, type KeyValueStorage } from './key-value-outbox.js';
export { classify, retryAfterMs, type Delivery } from './delivery.js';
export type { TransportResponse } from './transport.js';
