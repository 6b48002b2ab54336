import { describe, expect, it } from 'vitest';
import { applyMutant, type ReportMutant } from '../../scripts/mutate/apply-mutant.js';

const mutant = (start: [number, number], end: [number, number], replacement?: string): ReportMutant => ({
  id: '1',
  mutatorName: 'Test',
  status: 'Survived',
  replacement,
  location: { start: { line: start[0], column: start[1] }, end: { line: end[0], column: end[1] } },
});

/** recheck-static writes Stryker's mutants into sources by their report positions (1-based lines and columns). */
describe('applyMutant', () => {
  const source = 'const a = 1;\nconst slack = (max - min) * t;\nif (x) {\n  y();\n}\n';

  it('replaces a span within one line', () => {
    expect(applyMutant(source, mutant([2, 16], [2, 25], 'max + min'))).toBe('const a = 1;\nconst slack = (max + min) * t;\nif (x) {\n  y();\n}\n');
  });

  it('replaces a span across lines (a block statement emptied)', () => {
    expect(applyMutant(source, mutant([3, 8], [5, 2], '{}'))).toBe('const a = 1;\nconst slack = (max - min) * t;\nif (x) {}\n');
  });

  it('names a mutant without a replacement or past the end of the source', () => {
    expect(() => applyMutant(source, mutant([1, 1], [1, 2]))).toThrow('mutant 1 (Test) has no replacement');
    expect(() => applyMutant(source, mutant([9, 1], [9, 2], 'x'))).toThrow('line 9 is past the end of the source');
  });
});
