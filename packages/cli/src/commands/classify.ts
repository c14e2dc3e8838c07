import { parseArgs } from 'node:util';
import { useBackend, type BackendRequest } from '@resnext/backends';
import { load, type Prediction } from '@resnext/pretrained';
import { progressBar } from './progress_bar.js';

/** Parsed `resnext classify` arguments. */
export interface ClassifyArgs {
  images: string[];
  model: string;
  weights?: string;
  top: number;
  json: boolean;
  /** Backend for useBackend(); default 'auto' (in Node: tfjs-node(-gpu) if installed, else wasm on every core). */
  backend: BackendRequest;
}

/** Parses `classify <images…> [--model arch.tag] [--weights file|url] [--top 5] [--json] [--backend auto|wasm|cpu|node|node-gpu]`. */
export function parseClassifyArgs(argv: readonly string[]): ClassifyArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string', default: 'resnext50_32x4d' },
      weights: { type: 'string' },
      top: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
    },
    allowPositionals: true,
  });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`--top must be a positive integer, got ${values.top}`);
  if (positionals.length === 0) throw new RangeError('classify needs at least one image path');
  return { images: positionals, model: values.model, ...(values.weights !== undefined && { weights: values.weights }), top, json: values.json, backend: values.backend as BackendRequest };
}

/** Formats predictions as a readable block per image. */
export function formatPredictions(results: readonly { image: string; predictions: Prediction[] }[]): string {
  return results
    .map(({ image, predictions }) =>
      [image, ...predictions.map((p) => `  ${(p.probability * 100).toFixed(2).padStart(6)}%  ${p.label} (${p.index})`)].join('\n'),
    )
    .join('\n');
}

/** Runs `resnext classify`: loads the classifier (downloading with a progress bar), classifies each image. */
export async function classifyCommand(argv: readonly string[], stderr: { isTTY?: boolean; write(s: string): unknown }): Promise<string> {
  const args = parseClassifyArgs(argv);
  const backend = await useBackend(args.backend);
  stderr.write(`backend: ${backend.name}${backend.threads !== undefined ? ` (${backend.threads} threads)` : ''}\n`);
  const classifier = await load({ model: args.model, ...(args.weights !== undefined && { weights: args.weights }), onProgress: progressBar(stderr) });
  try {
    const results = [];
    for (const image of args.images) results.push({ image, predictions: await classifier.classify(image, args.top) });
    return args.json ? JSON.stringify(results, null, 2) : formatPredictions(results);
  } finally {
    classifier.dispose();
  }
}
