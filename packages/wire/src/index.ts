export * from './report.js';
export * from './baseline-format.js';
