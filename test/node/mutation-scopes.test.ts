import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { MUTATION_PACKAGES, MUTATION_SCOPES, mutationRuns } from '../../scripts/mutate/packages.js';
import { sumScores } from '../../scripts/mutate/score.js';

// tinyglobby takes Stryker's glob syntax, `!` negations included.
const files = (globs: readonly string[]) => globSync([...globs]).sort();

describe('mutation scopes (scripts/mutate/packages.ts)', () => {
  it('every glob names files that exist, so a renamed module cannot drop out of the score unseen', () => {
    for (const name of MUTATION_PACKAGES) {
      for (const glob of [...MUTATION_SCOPES[name].mutate, ...MUTATION_SCOPES[name].tests].filter((g) => !g.startsWith('!'))) {
        expect(globSync(glob), `${name}: ${glob}`).not.toHaveLength(0);
      }
    }
  });

  it('a package split into parts mutates each of its files in exactly one part', () => {
    for (const name of MUTATION_PACKAGES) {
      const runs = mutationRuns(name);
      const inParts = runs.flatMap((run) => files(run.mutate)).sort();
      expect(inParts, name).toEqual(files(MUTATION_SCOPES[name].mutate));
      expect(new Set(inParts).size, `${name}: a file in two parts`).toBe(inParts.length);
    }
    expect(mutationRuns('collector').map((run) => run.label)).toEqual(['collector.checks', 'collector.storage']);
    expect(mutationRuns('collector', ['storage']).map((run) => run.label)).toEqual(['collector.storage']);
    expect(() => mutationRuns('collector', ['nope'])).toThrow(/--part must be one of checks, storage for collector; received "nope"/);
    expect(() => mutationRuns('wire', ['checks'])).toThrow(/--part: wire has no parts/);
  });

  it('a package scored over its parts adds their counts and recomputes the percentage', () => {
    const part = (killed: number, survived: number) => ({ score: 0, killed, timeout: 1, survived, noCoverage: 1, ignored: 2, errors: 0 });
    expect(sumScores([part(8, 0), part(0, 8)])).toEqual({ score: 50, killed: 8, timeout: 2, survived: 8, noCoverage: 2, ignored: 4, errors: 0 });
    expect(sumScores([]).score).toBe(100);
  });
});
