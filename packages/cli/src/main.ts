import { parseArgs } from 'node:util';
import { classifyCommand } from './commands/classify.js';
import { fashionMnistCommand } from './commands/fashion_mnist.js';
import { formatTable, modelRows } from './commands/models.js';

const USAGE = `Usage: resnext <command> [options]

Commands:
  models [filter] [--json]   list the model zoo (optionally names containing <filter>)
  classify <images…> [--model arch.tag] [--weights file|url] [--top 5] [--json] [--backend auto]
                             classify images with pretrained weights (downloaded once, then cached)
  fashion-mnist [--limit N] [--show 8] [--json] [--backend auto]
                             classify the Fashion-MNIST test set with the weights shipped in
                             @resnext/pretrained (offline) and print the accuracy
  help                       show this message`;

/** Thrown for a command line we cannot run; the message is shown to the user. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a command writes progress (a terminal gets a redrawn bar). */
export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/**
 * Runs the `resnext` command with `argv` (without `node` and the script path) and returns
 * what it prints on stdout; progress goes to `stderr`. Kept free of `process` so it can be
 * tested directly.
 */
export async function run(argv: readonly string[], stderr: ProgressStream = { write: () => true }): Promise<string> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'classify':
    case 'fashion-mnist':
      try {
        return command === 'classify' ? await classifyCommand(rest, stderr) : await fashionMnistCommand(rest, stderr);
      } catch (err) {
        if (err instanceof RangeError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
          throw new UsageError(`${err.message}\n\n${USAGE}`);
        }
        throw err;
      }
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
