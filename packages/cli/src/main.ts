import { parseArgs } from 'node:util';
import { formatTable, modelRows } from './commands/models.js';

const USAGE = `Usage: resnext <command> [options]

Commands:
  models [filter] [--json]   list the model zoo (optionally names containing <filter>)
  help                       show this message`;

/** Thrown for a command line we cannot run; the message is shown to the user. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Runs the `resnext` command with `argv` (without `node` and the script path) and returns
 * what it prints. Kept free of `process` so it can be tested directly.
 */
export function run(argv: readonly string[]): string {
  const [command, ...rest] = argv;
  switch (command) {
    case 'models': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: { json: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      const rows = modelRows(positionals[0]);
      return values.json ? JSON.stringify(rows, null, 2) : formatTable(rows as unknown as Record<string, string | number>[]);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return USAGE;
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}
