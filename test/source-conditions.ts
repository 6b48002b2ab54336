import { defaultClientConditions, defaultServerConditions, type UserConfig } from 'vite';

/**
 * Inside this repository, `@edgewise/*` resolve to their TypeScript sources (the packages' exports
 * map has an `@edgewise/source` condition), so tests, the demo and the benchmarks run without a
 * build; published tarballs resolve to dist/ through `import`. tsc uses the same condition
 * (customConditions), and tsx scripts pass it as a Node flag.
 */
export const SOURCE_CONDITION = '@edgewise/source';

export const sourceResolution: Pick<UserConfig, 'resolve' | 'ssr'> = {
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions], externalConditions: [SOURCE_CONDITION, 'node'] } },
};
