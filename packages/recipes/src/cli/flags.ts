/** One command-line flag of `resnext-train`. */
export interface FlagSpec {
  /** Long name without the dashes. */
  name: string;
  /** A string flag takes a value (`--out runs/x` or `--out=runs/x`); a boolean takes none. */
  type: 'string' | 'boolean';
  /** Placeholder of the value in the usage text. */
  value?: string;
  short?: string;
  group: 'Recipe' | 'Overrides' | 'Run' | 'Engine';
  description: string;
}

/** The backends `--backend` accepts (those of `RecipeConfig['backend']['name']`). */
export const BACKENDS = ['wasm', 'cpu', 'webgl', 'webgpu', 'node', 'node-gpu', 'tensorflow'] as const;

/** The engines `--engine` accepts: TensorFlow.js in this process, or PyTorch DDP through torchrun. */
export const ENGINES = ['tfjs', 'torchrun'] as const;

/** Every flag, in usage order. The parser and the usage text both read this table. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'recipe', type: 'string', value: '<name>', group: 'Recipe', description: 'a shipped recipe (--list shows them)' },
  { name: 'recipe-file', type: 'string', value: '<file>', group: 'Recipe', description: 'a recipe as a JSON file (a RecipeConfig)' },
  { name: 'quick', type: 'boolean', group: 'Recipe', description: "the recipe's short variant (checks the whole pipeline)" },
  { name: 'epochs', type: 'string', value: '<n>', group: 'Overrides', description: 'number of epochs (with --resume: train the run to <n> epochs)' },
  { name: 'batch-size', type: 'string', value: '<n>', group: 'Overrides', description: 'images per optimizer step' },
  { name: 'lr', type: 'string', value: '<x>', group: 'Overrides', description: 'base learning rate' },
  { name: 'seed', type: 'string', value: '<n>', group: 'Overrides', description: 'seed of the init, the data order and the augmentation' },
  { name: 'backend', type: 'string', value: '<name>', group: 'Overrides', description: BACKENDS.join(' | ') },
  { name: 'threads', type: 'string', value: '<n>', group: 'Overrides', description: 'wasm threads' },
  { name: 'data-dir', type: 'string', value: '<dir>', group: 'Overrides', description: 'dataset folder' },
  { name: 'out', type: 'string', value: '<dir>', group: 'Run', description: 'run directory (default runs/<recipe>)' },
  { name: 'resume', type: 'boolean', group: 'Run', description: 'continue the run in --out from its last checkpoint' },
  { name: 'reschedule', type: 'boolean', group: 'Run', description: 'with --resume --epochs: stretch a schedule that spans the run (cosine, one-cycle)' },
  { name: 'cwd', type: 'string', value: '<dir>', group: 'Run', description: 'resolve relative paths against <dir> (default: where the command ran)' },
  { name: 'engine', type: 'string', value: '<name>', group: 'Engine', description: 'tfjs (default) | torchrun: PyTorch DDP over processes and machines' },
  { name: 'nproc-per-node', type: 'string', value: '<n>', group: 'Engine', description: 'torchrun: processes on this machine (one per GPU)' },
  { name: 'nnodes', type: 'string', value: '<n>', group: 'Engine', description: 'torchrun: machines taking part (default 1)' },
  { name: 'node-rank', type: 'string', value: '<r>', group: 'Engine', description: "torchrun: this machine's index, 0 writes the run directory" },
  { name: 'rdzv-endpoint', type: 'string', value: '<host:port>', group: 'Engine', description: 'torchrun: where the machines meet (node 0)' },
  { name: 'list', type: 'boolean', group: 'Run', description: 'list the shipped recipes' },
  { name: 'help', type: 'boolean', short: 'h', group: 'Run', description: 'print this help' },
];

function flagColumn(f: FlagSpec): string {
  const long = `--${f.name}${f.value === undefined ? '' : ` ${f.value}`}`;
  return f.short === undefined ? `    ${long}` : `-${f.short}, ${long}`;
}

function usage(): string {
  const lines = [
    'Usage: resnext-train --recipe <name> [options]',
    '       resnext-train --recipe-file <file.json> [options]',
    '       resnext-train --resume --out <dir> [--epochs <n>] [--backend <name>] [--threads <n>] [--data-dir <dir>]',
    '       resnext-train --list | --help',
    '',
    'In this repository, through Nx (builds the package first):',
    '  npx nx run recipes:train --recipe=fashion-mnist-resnext --quick --out=runs/quick',
    '  npx nx run recipes:train help        (this text alone; --help shows Nx\'s help of the target first)',
    '  npx nx run recipes:train --recipe=imagenet-resnext50 --engine=torchrun --nproc-per-node=8 --data-dir=/data/imagenet',
  ];
  for (const group of ['Recipe', 'Overrides', 'Engine', 'Run'] as const) {
    lines.push('', `${group}:`);
    for (const f of FLAGS.filter((x) => x.group === group)) lines.push(`  ${flagColumn(f).padEnd(32)} ${f.description}`);
  }
  lines.push(
    '',
    'Ctrl-C (SIGINT) or SIGTERM: the current step finishes, a checkpoint is written and the command to resume is printed.',
    'Exit codes: 0 done, 1 error, 2 bad command line, 130 interrupted (SIGINT), 143 terminated (SIGTERM).',
  );
  return lines.join('\n') + '\n';
}

/** The command-line usage text. */
export const USAGE = usage();
