import { UsageError } from './args.js';
import { BASELINE_USAGE, baselineCommand } from './baseline-command.js';
import { QUANTIZE_USAGE, quantizeCommand } from './quantize-command.js';

const USAGE = `usage: edgewise <command> [options]

commands:
  ${BASELINE_USAGE.split('\n')[0]}
  ${QUANTIZE_USAGE.split('\n')[0]}`;

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], log = (l: string) => console.log(l), error = (l: string) => console.error(l)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'baseline':
        await baselineCommand(rest, log);
        return 0;
      case 'quantize':
        await quantizeCommand(rest, log);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      error(`edgewise: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    error(`edgewise ${command}: ${(e as Error).message}`);
    return 1;
  }
}
