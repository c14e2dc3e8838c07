import { stat } from 'node:fs/promises';
import { useBackend, type BackendRequest } from '@resnext/backends';
import { load, type Prediction, type ResNeXtClassifier } from '@resnext/pretrained';
import { parseCommandArgs, positiveInteger } from '../args/parse_options.js';
import { CliError } from '../errors/cli_error.js';
import type { InputFailure } from '../errors/inputs_failed_error.js';
import { UsageError } from '../errors/usage_error.js';
import type { CommandOutput, ProgressStream } from '../io.js';
import { systemProblem } from '../errors/system_problem.js';
import { firstLine } from '../errors/described.js';
import { checkImagePaths } from './image_check.js';
import { progressBar } from './progress_bar.js';
import { resolveBackend, resolveModel } from './resolve_model.js';

/** The options of `resnext classify`. */
export const CLASSIFY_OPTIONS = {
  model: { type: 'string', default: 'resnext50_32x4d' },
  weights: { type: 'string' },
  top: { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' },
  offline: { type: 'boolean', default: false },
  'cache-dir': { type: 'string' },
} as const;

/** Parsed `resnext classify` arguments. */
export interface ClassifyArgs {
  images: string[];
  /** The weights id `--model` resolved to (`arch.tag`). */
  model: string;
  weights?: string;
  top: number;
  json: boolean;
  /** Backend for useBackend(); default 'auto' (in Node: tfjs-node(-gpu) if installed, else wasm on every core). */
  backend: BackendRequest;
  /** Cached weights only (`--offline`); when false, RESNEXT_OFFLINE still applies. */
  offline: boolean;
  cacheDir?: string;
}

/**
 * Parses `classify <images…> [--model arch.tag] [--weights file|url] [--top 5] [--json]
 * [--backend auto|wasm|cpu|node|node-gpu] [--offline] [--cache-dir dir]`.
 *
 * @throws UsageError for a bad command line, an unknown model or backend.
 */
export function parseClassifyArgs(argv: readonly string[]): ClassifyArgs {
  const { values, positionals } = parseCommandArgs('classify', { args: [...argv], options: CLASSIFY_OPTIONS, allowPositionals: true });
  const top = positiveInteger('classify', 'top', values.top);
  if (positionals.length === 0) throw new UsageError('no image given (resnext classify <image…>)', 'classify');
  return {
    images: positionals,
    model: resolveModel('classify', values.model).id,
    ...(values.weights !== undefined && { weights: values.weights }),
    top,
    json: values.json,
    backend: resolveBackend('classify', values.backend),
    offline: values.offline,
    ...(values['cache-dir'] !== undefined && { cacheDir: values['cache-dir'] }),
  };
}

/** One image's outcome: its predictions, or why it could not be classified. */
export type ImageResult = { image: string; predictions: Prediction[] } | { image: string; error: string };

/** Formats results as a readable block per classified image (failed images are reported on stderr instead). */
export function formatPredictions(results: readonly ImageResult[]): string {
  return results
    .flatMap((r) =>
      'predictions' in r ? [[r.image, ...r.predictions.map((p) => `  ${(p.probability * 100).toFixed(2).padStart(6)}%  ${p.label} (${p.index})`)].join('\n')] : [],
    )
    .join('\n');
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Fails early, before a backend starts, when `--weights` names a local file that is not there. */
async function checkWeightsFile(weights: string | undefined): Promise<void> {
  if (weights === undefined || isUrl(weights)) return;
  const hint = "Pass a .safetensors or .pth checkpoint (or a tfjs model.json), or leave out --weights to use the registry's weights.";
  let problem: string | undefined;
  try {
    if ((await stat(weights.startsWith('file://') ? new URL(weights) : weights)).isDirectory()) problem = 'is a directory, not a checkpoint file';
  } catch (error) {
    problem = systemProblem(error);
    if (problem === undefined) throw error;
  }
  if (problem !== undefined) throw new CliError(`--weights ${weights}: ${problem}`, hint);
}

/** Classifies one image; a file or decoding problem becomes the image's error, anything else is thrown. */
async function classifyOne(classifier: ResNeXtClassifier, image: string, top: number): Promise<ImageResult> {
  try {
    return { image, predictions: await classifier.classify(image, top) };
  } catch (error) {
    if ((error as Error | null)?.name === 'ImageDecodeError') {
      const message = (error as Error).message;
      return { image, error: message.startsWith(`${image}: `) ? message.slice(image.length + 2) : message };
    }
    const problem = systemProblem(error);
    if (problem !== undefined) return { image, error: problem };
    throw error;
  }
}

/**
 * Runs `resnext classify`: checks the image paths (before any weights load), starts the backend,
 * loads the classifier (downloading with a progress bar on `stderr`), classifies each image.
 * Images that cannot be read or decoded are returned as `failures`; the others are printed.
 *
 * @throws UsageError for a bad command line; the packages' typed errors (DownloadError,
 *   OfflineError, StateDictMismatchError, BackendUnavailableError, …) when the weights or backend
 *   cannot be used.
 */
export async function classifyCommand(argv: readonly string[], stderr: ProgressStream): Promise<CommandOutput> {
  const args = parseClassifyArgs(argv);
  await checkWeightsFile(args.weights);
  const images = [...new Set(args.images)];
  const { good, bad } = await checkImagePaths(images);
  const failures: InputFailure[] = [...bad];
  const results = new Map<string, ImageResult>(bad.map((b) => [b.input, { image: b.input, error: b.problem }]));
  if (good.length > 0) {
    const backend = await useBackend(args.backend);
    stderr.write(`backend: ${backend.name}${backend.threads !== undefined ? ` (${backend.threads} threads)` : ''}\n`);
    // Problems the download got past (a source that failed before the next one served the file, a
    // cache that refused a write): said once the weights are loaded. If loading fails, the error
    // says it all (a failed download lists every source's failure).
    const warnings: Error[] = [];
    const classifier = await load(args.model, {
      ...(args.weights !== undefined && { weights: args.weights }),
      ...(args.offline && { offline: true }),
      ...(args.cacheDir !== undefined && { cacheDir: args.cacheDir }),
      onProgress: progressBar(stderr),
      onWarning: (problem) => warnings.push(problem),
    });
    for (const warning of warnings) stderr.write(`resnext: note: ${firstLine(warning.message.replace(/^@resnext\/pretrained: /, ''))}\n`);
    try {
      for (const image of good) {
        const result = await classifyOne(classifier, image, args.top);
        results.set(image, result);
        if ('error' in result) failures.push({ input: image, problem: result.error });
      }
    } finally {
      classifier.dispose();
    }
  }
  // In the order given (a path given twice is reported once).
  const ordered = images.map((image) => results.get(image)!);
  failures.sort((a, b) => images.indexOf(a.input) - images.indexOf(b.input));
  return { stdout: args.json ? JSON.stringify(ordered, null, 2) : formatPredictions(ordered), failures };
}
