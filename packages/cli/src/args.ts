import { parseArgs as parseNodeArgs } from 'node:util';

/** Thrown for a wrong command line; main() prints it with the usage and exits 2. */
export class UsageError extends Error {
  readonly code = 'E_USAGE';
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
}

/** `--name value` and `--name=value` string options (node:util parseArgs, strict); the rest positional. */
export function parseArgs(argv: string[], known: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseNodeArgs({ args: argv, options: Object.fromEntries(known.map((k) => [k, { type: 'string' as const }])), allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // node's messages name the option but not the alternatives.
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}; options: ${known.map((k) => `--${k}`).join(', ')}`);
    const missing = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
    if (missing) throw new UsageError(`option ${missing[1]} needs a value`);
    throw new UsageError(message);
  }
  const flags = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed.values)) if (typeof value === 'string') flags.set(name, value);
  return { positional: parsed.positionals, flags };
}

export function intFlag(flags: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}]; received ${raw}`);
  return n;
}

export const listFlag = (flags: Map<string, string>, name: string) => (flags.get(name)?.split(',') ?? []).map((s) => s.trim()).filter(Boolean);
