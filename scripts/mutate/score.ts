import type { MutantResult } from '@stryker-mutator/api/core';

export interface MutationScore {
  /** Percent, as Stryker computes it: detected / (detected + undetected); ignored and errors excluded. */
  score: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  /** Mutants that did not compile or broke the runtime: counted by Stryker as neither. */
  errors: number;
}

export function scoreOf(results: readonly MutantResult[]): MutationScore {
  const count = (...statuses: string[]) => results.filter((r) => statuses.includes(r.status)).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  return {
    score: valid === 0 ? 100 : Math.round(((killed + timeout) / valid) * 1000) / 10,
    killed,
    timeout,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    errors: count('CompileError', 'RuntimeError'),
  };
}
