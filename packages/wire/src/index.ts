export * from './report.js';
export * from './baseline-format.js';
export * from './report-keys.js';
