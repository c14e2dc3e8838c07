import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendRequest } from '@resnext/backends';
import { load, normalizeInterleavedToFloat32, type ResNeXtClassifier } from '@resnext/pretrained';
import { loadFashionMnist } from '@resnext/recipes';
import { parseCommandArgs, positiveInteger } from '../args/parse_options.js';
import { UsageError } from '../errors/usage_error.js';
import { resolveBackend, resolveModel } from './resolve_model.js';

/** Parsed `resnext fashion-mnist` arguments. */
export interface FashionMnistArgs {
  /** Classify only the first `limit` test images (default all 10,000). */
  limit?: number;
  batchSize: number;
  /** How many individual predictions to print. */
  show: number;
  model: string;
  weights?: string;
  dataDir?: string;
  json: boolean;
  backend: BackendRequest;
}

/** The options of `resnext fashion-mnist`. */
export const FASHION_MNIST_OPTIONS = {
  limit: { type: 'string' },
  'batch-size': { type: 'string', default: '500' },
  show: { type: 'string', default: '8' },
  model: { type: 'string', default: 'resnext_fmnist' },
  weights: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' },
} as const;

/**
 * Parses `fashion-mnist [--limit N] [--batch-size 500] [--show 8] [--model arch.tag] [--weights file] [--data-dir dir] [--json] [--backend auto]`.
 *
 * @throws UsageError for a bad command line, an unknown model or backend.
 */
export function parseFashionMnistArgs(argv: readonly string[]): FashionMnistArgs {
  const { values } = parseCommandArgs('fashion-mnist', { args: [...argv], options: FASHION_MNIST_OPTIONS });
  const limit = values.limit === undefined ? undefined : positiveInteger('fashion-mnist', 'limit', values.limit);
  const record = resolveModel('fashion-mnist', values.model);
  const { cropSize, channels = 3 } = record.preprocessing;
  if (cropSize !== 28 || channels !== 1) {
    throw new UsageError(`--model ${record.id} takes ${cropSize}×${cropSize}×${channels} images, Fashion-MNIST has 28×28×1 (try --model resnext_fmnist)`, 'fashion-mnist');
  }
  return {
    ...(limit !== undefined && { limit }),
    batchSize: positiveInteger('fashion-mnist', 'batch-size', values['batch-size']),
    show: values.show === '0' ? 0 : positiveInteger('fashion-mnist', 'show', values.show),
    model: record.id,
    ...(values.weights !== undefined && { weights: values.weights }),
    ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
    json: values.json,
    backend: resolveBackend('fashion-mnist', values.backend),
  };
}

/** What `resnext fashion-mnist` measured. */
export interface FashionMnistReport {
  model: string;
  backend: string;
  images: number;
  correct: number;
  accuracy: number;
  seconds: number;
  imagesPerSecond: number;
  /** The first `show` test images: true and predicted class, with the predicted probability. */
  predictions: { index: number; label: string; predicted: string; probability: number }[];
}

/** Predicted class and its probability for each image of a batch of normalized 28×28×1 images. */
async function predictBatch(classifier: ResNeXtClassifier, pixels: Float32Array, n: number, size: number): Promise<{ classes: Int32Array; probabilities: Float32Array }> {
  const [classes, probabilities] = tf.tidy((): [tf.Tensor1D, tf.Tensor1D] => {
    const p = tf.softmax(classifier.infer(tf.tensor4d(pixels, [n, size, size, 1])));
    return [tf.argMax(p, 1), tf.max(p, 1)] as [tf.Tensor1D, tf.Tensor1D];
  });
  const result = { classes: (await classes.data()) as Int32Array, probabilities: (await probabilities.data()) as Float32Array };
  tf.dispose([classes, probabilities]);
  return result;
}

/**
 * Classifies the Fashion-MNIST test set with the weights shipped inside @resnext/pretrained (no
 * network needed) and reports the accuracy and a few predictions.
 */
export async function fashionMnistReport(args: FashionMnistArgs, stderr: { write(s: string): unknown }): Promise<FashionMnistReport> {
  const backend = await useBackend(args.backend);
  stderr.write(`backend: ${backend.name}${backend.threads !== undefined ? ` (${backend.threads} threads)` : ''}\n`);
  const test = loadFashionMnist('test', args.dataDir !== undefined ? { dir: args.dataDir } : {});
  const count = Math.min(args.limit ?? test.count, test.count);
  const size = test.height;
  const classifier = await load(args.model, args.weights !== undefined ? { weights: args.weights } : {});
  try {
    const { mean, std, cropSize } = classifier.meta.preprocessing;
    if (cropSize !== size || (classifier.meta.preprocessing.channels ?? 3) !== 1) {
      throw new UsageError(`--model ${classifier.meta.id} takes ${cropSize}×${cropSize}×${classifier.meta.preprocessing.channels ?? 3} images, Fashion-MNIST has ${size}×${size}×1`, 'fashion-mnist');
    }
    const started = performance.now();
    let correct = 0;
    const predictions: FashionMnistReport['predictions'] = [];
    for (let start = 0; start < count; start += args.batchSize) {
      const n = Math.min(args.batchSize, count - start);
      const pixels = normalizeInterleavedToFloat32(test.images.subarray(start * size * size, (start + n) * size * size), mean, std);
      const { classes, probabilities } = await predictBatch(classifier, pixels, n, size);
      for (let i = 0; i < n; i++) {
        const truth = test.labels[start + i]!;
        if (classes[i] === truth) correct++;
        if (start + i < args.show) {
          predictions.push({ index: start + i, label: classifier.labels[truth]!, predicted: classifier.labels[classes[i]!]!, probability: probabilities[i]! });
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { model: classifier.meta.id, backend: backend.name, images: count, correct, accuracy: correct / count, seconds, imagesPerSecond: count / seconds, predictions };
  } finally {
    classifier.dispose();
  }
}

/** The report as text. */
export function formatFashionMnistReport(r: FashionMnistReport): string {
  const lines = [
    `${r.model} on the Fashion-MNIST test set (${r.images.toLocaleString('en')} images, backend ${r.backend}):`,
    `  top-1 accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.correct.toLocaleString('en')} correct) in ${r.seconds.toFixed(1)} s, ${Math.round(r.imagesPerSecond)} images/s`,
  ];
  if (r.predictions.length > 0) lines.push('  first test images:');
  for (const p of r.predictions) {
    lines.push(`  #${String(p.index).padEnd(5)} ${p.label.padEnd(12)} → ${p.predicted.padEnd(12)} ${(p.probability * 100).toFixed(1).padStart(5)}%${p.label === p.predicted ? '' : '  ✗'}`);
  }
  return lines.join('\n');
}

/** Runs `resnext fashion-mnist`. */
export async function fashionMnistCommand(argv: readonly string[], stderr: { write(s: string): unknown }): Promise<string> {
  const args = parseFashionMnistArgs(argv);
  const report = await fashionMnistReport(args, stderr);
  return args.json ? JSON.stringify(report, null, 2) : formatFashionMnistReport(report);
}
