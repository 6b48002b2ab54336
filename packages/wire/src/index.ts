export * from './report.js';
export * from './baseline-format.js';
export * from './report-keys.js';
export * from './window-grid.js';
export * from './privacy-rules.js';
