export { Uplink, createUplink, type AggregateSource, type UplinkEvent, type UplinkOptions } from './uplink.js';
export { MemoryOutbox, IndexedDBOutbox, type Outbox } from './outbox.js';
export { fetchTransport, type Transport } from './transport.js';
export { protectCounts, boundContribution, checkBaselinePrivacy, type PrivacyOptions, type ReportBody } from './privacy.js';
export { PrivacyLedger, type LedgerState } from './privacy-budget.js';
export { BaselinePrivacyError, UplinkError, type UplinkErrorCode } from './errors.js';
export { KeyValueOutbox, type KeyValueStorage } from './key-value-outbox.js';
export { classify, retryAfterMs, type Delivery } from './delivery.js';
export type { TransportResponse } from './transport.js';
