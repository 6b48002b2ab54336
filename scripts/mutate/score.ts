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

export type Counts = Omit<MutationScore, 'score'>;

/** The score of these counts (also for counts adjusted after Stryker, as recheck-static does). */
export function withScore(counts: Counts): MutationScore {
  const valid = counts.killed + counts.timeout + counts.survived + counts.noCoverage;
  return { score: valid === 0 ? 100 : Math.round(((counts.killed + counts.timeout) / valid) * 1000) / 10, ...counts };
}

export function scoreOf(results: readonly MutantResult[]): MutationScore {
  const count = (...statuses: string[]) => results.filter((r) => statuses.includes(r.status)).length;
  return withScore({
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    ignored: count('Ignored'),
    errors: count('CompileError', 'RuntimeError'),
  });
}

/** The score of a package run in parts: counts add up, the percentage is recomputed from them. */
export function sumScores(parts: readonly MutationScore[]): MutationScore {
  const total: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
  for (const part of parts) for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += part[key];
  return withScore(total);
}
