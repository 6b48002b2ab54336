/** Thrown for a wrong command line; main() prints it with the usage and exits 2. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
}

/** `--name value` and `--name=value` flags; everything else positional. */
export function parseArgs(argv: string[], known: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}; options: ${known.map((k) => `--${k}`).join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}]; received ${raw}`);
  return n;
}

export const listFlag = (flags: Map<string, string>, name: string) => (flags.get(name)?.split(',') ?? []).map((s) => s.trim()).filter(Boolean);
