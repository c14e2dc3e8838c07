/** Help texts of the `resnext` command and each subcommand, with examples. */

/** The subcommands, in the order the top-level help lists them. */
export const COMMANDS = ['classify', 'weights', 'models', 'fashion-mnist', 'help'] as const;

/** A subcommand name. */
export type CommandName = (typeof COMMANDS)[number];

const EXIT_LINE = 'Exit status: 0 ok, 1 some inputs failed, 2 usage error, 3 weights/data/backend error, 70 internal error.';
const COMMON = `  -h, --help                 show this help
  --debug                    print the stack trace of an error`;

const TOP = `resnext — classify images with pretrained ResNeXt networks (TensorFlow.js)

Usage: resnext <command> [options]

Commands:
  classify <image…>          classify JPEG, PNG or WebP images with pretrained weights
  weights [filter]           list the pretrained weights: accuracy, licence, size, cached or not
  models [filter]            list the model architectures
  fashion-mnist              classify the Fashion-MNIST test set with the weights shipped in
                             @resnext/pretrained (no network) and print the accuracy
  help [command]             show help for a command (same as: resnext <command> --help)

Options:
${COMMON}
  --version                  print the version

Examples:
  resnext classify cat.jpg
  resnext weights resnext50
  resnext classify --help

Environment: RESNEXT_CACHE_DIR, RESNEXT_OFFLINE, RESNEXT_MIRROR, RESNEXT_FASHION_MNIST_DIR.
${EXIT_LINE}
Guide: https://github.com/resnext-js/resnext-js/blob/main/docs/cli.md`;

const CLASSIFY = `Usage: resnext classify <image…> [options]

Classifies JPEG, PNG or WebP images. The weights are downloaded on first use and cached (see
'resnext weights'). Image paths are checked before any weights load; an image that cannot be
read or decoded is reported on stderr, and the others are still classified.

Options:
  --model <arch[.tag]>       weights to use (default resnext50_32x4d, i.e. its default tag
                             tv2_in1k); 'resnext weights' lists them
  --weights <file|url>       a checkpoint (.safetensors, .pth, or a tfjs model.json) to use instead
                             of downloading; --model still gives architecture, preprocessing, labels
  --top <k>                  classes to print per image (default 5)
  --json                     print JSON: [{ image, predictions: [{ index, label, probability }] }],
                             and { image, error } for an image that failed
  --backend <name>           auto (default), wasm, cpu, node, node-gpu
  --offline                  never use the network: cached weights only (also RESNEXT_OFFLINE=1)
  --cache-dir <dir>          weights cache (default: RESNEXT_CACHE_DIR, else ~/.cache/resnext)
${COMMON}

Examples:
  resnext classify cat.jpg dog.png
  resnext classify photos/*.jpg --model resnext101_32x8d.tv2_in1k --top 3
  resnext classify cat.jpg --weights ./resnext50_32x4d-1a0047aa.pth
  resnext classify cat.jpg --offline --json
  resnext classify shirt.png --model resnext_fmnist    # weights shipped in the package

${EXIT_LINE}`;

const WEIGHTS = `Usage: resnext weights [filter] [options]

Lists the pretrained weights: id (arch.tag; * marks an architecture's default), dataset, top-1
and top-5 accuracy (%), licence, file size when known, and whether the file is in the cache
(yes, partial = an interrupted download that resumes, bundled = shipped in the package, no).
A filter keeps the ids that contain it.

Options:
  --json                     print JSON (one object per weights file)
  --cache-dir <dir>          the cache to look in (default: RESNEXT_CACHE_DIR, else ~/.cache/resnext)
${COMMON}

Examples:
  resnext weights
  resnext weights resnext101
  resnext weights tv2 --json
  resnext weights --cache-dir /data/resnext-cache

${EXIT_LINE}`;

const MODELS = `Usage: resnext models [filter] [options]

Lists the model architectures (the zoo of @resnext/models): block, blocks per stage, groups
(cardinality), width per group, default input size and origin. A filter keeps the names that
contain it. For weights to load into them, see 'resnext weights'.

Options:
  --json                     print JSON
${COMMON}

Examples:
  resnext models
  resnext models 101 --json

${EXIT_LINE}`;

const FASHION_MNIST = `Usage: resnext fashion-mnist [options]

Classifies the Fashion-MNIST test set with the weights shipped in @resnext/pretrained (no
network needed) and prints the top-1 accuracy and the first few predictions.

Options:
  --limit <n>                classify only the first n test images (default all 10,000)
  --batch-size <n>           images per batch (default 500)
  --show <n>                 individual predictions to print (default 8; 0 for none)
  --model <arch[.tag]>       default resnext_fmnist (its default tag full_fmnist)
  --weights <file>           a checkpoint to use instead of the shipped one
  --data-dir <dir>           the folder of the Fashion-MNIST files (default: RESNEXT_FASHION_MNIST_DIR,
                             else /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist)
  --json                     print the report as JSON
  --backend <name>           auto (default), wasm, cpu, node, node-gpu
${COMMON}

Examples:
  resnext fashion-mnist
  resnext fashion-mnist --limit 1000 --show 3 --json
  resnext fashion-mnist --model resnext_fmnist.quick_fmnist --backend wasm

${EXIT_LINE}`;

const HELP = `Usage: resnext help [command]

Shows the help of a command, or of resnext itself.

Examples:
  resnext help
  resnext help classify`;

const TEXTS: Record<CommandName, string> = {
  classify: CLASSIFY,
  weights: WEIGHTS,
  models: MODELS,
  'fashion-mnist': FASHION_MNIST,
  help: HELP,
};

/** Whether `name` is a subcommand. */
export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

/** The help of `command`, or the top-level help when it is undefined. */
export function helpText(command?: CommandName): string {
  return command === undefined ? TOP : TEXTS[command];
}

/** Whether an argument list asks for help: `-h` or `--help` before any `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
