export * from './report.js';
export * from './report-keys.js';
