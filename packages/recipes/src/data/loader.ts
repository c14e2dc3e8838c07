/**
 * Batches for training and evaluation. Every random choice — the epoch's order, each sample's
 * augmentation, each batch's mixup/cutmix — is drawn from a stream derived from (seed, epoch,
 * step or sample), never from state carried between batches: `epoch(e, startStep)` after a
 * restart yields exactly the batches an uninterrupted run would have from that step on.
 */
import { rngFor, type Rng } from './rng.js';
import type { ImageSource } from './source.js';
import { buildTransform, outputSize, type TransformSpec } from './transforms.js';

/** Options of {@link createLoader}. */
export interface LoaderOptions {
  batchSize: number;
  transform: readonly TransformSpec[];
  shuffle: boolean;
  seed: number;
  /** Drop the last incomplete batch (training). Default false. */
  dropLast?: boolean;
  /** Mixup's Beta(alpha, alpha); 0 = off. */
  mixup?: number;
  /** CutMix's Beta(alpha, alpha); 0 = off. */
  cutmix?: number;
  /** Probability that a batch is mixed at all (when mixup or cutmix is on). Default 1. */
  mixProb?: number;
  /** Use only the first `limit` examples (smoke runs, `--quick`). */
  limit?: number;
  /** Batches read and prepared ahead of the one the consumer holds (0: none). Default 1. */
  prefetch?: number;
}

/** One batch, NHWC. */
export interface Batch {
  x: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  /** n × numClasses target distribution: one-hot, or mixed by mixup/cutmix (no label smoothing). */
  targets: Float32Array;
  /** Index of the batch in its epoch. */
  step: number;
}

/** Batches of one dataset. */
export interface Loader {
  readonly stepsPerEpoch: number;
  /** Examples used (after `limit`). */
  readonly size: number;
  /** [height, width, channels] of every image in a batch. */
  readonly shape: [number, number, number];
  readonly numClasses: number;
  /** The batches of epoch `epoch` (0-based), from `startStep` on. */
  epoch(epoch: number, startStep?: number): AsyncIterable<Batch>;
}

/** Thrown for loader options that cannot work. */
export class LoaderError extends Error {
  override name = 'LoaderError';
}

// Keys that separate the per-batch streams from the per-sample ones.
const MIX_STREAM = 0x6d697821;

/** The order of an epoch: 0..size-1, shuffled by rngFor(seed, epoch) when asked. */
export function epochOrder(size: number, shuffle: boolean, seed: number, epoch: number): Int32Array {
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  if (shuffle) rngFor(seed, epoch).shuffle(order);
  return order;
}

/** Mixes the batch with its reverse (timm's batch mode): mixup blends, cutmix pastes a box. */
export function mixBatch(batch: Batch, numClasses: number, kind: 'mixup' | 'cutmix', alpha: number, rng: Rng): number {
  const [n, h, w, c] = batch.shape;
  const { x, targets } = batch;
  const source = x.slice();
  const sourceTargets = targets.slice();
  let lambda = rng.beta(alpha);
  const pixel = h * w * c;
  if (kind === 'mixup') {
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      for (let k = 0; k < pixel; k++) x[i * pixel + k] = lambda * source[i * pixel + k]! + (1 - lambda) * source[j * pixel + k]!;
    }
  } else {
    const cutH = Math.floor(h * Math.sqrt(1 - lambda));
    const cutW = Math.floor(w * Math.sqrt(1 - lambda));
    const cy = rng.int(h);
    const cx = rng.int(w);
    const y0 = Math.max(cy - Math.floor(cutH / 2), 0);
    const y1 = Math.min(cy + Math.floor(cutH / 2), h);
    const x0 = Math.max(cx - Math.floor(cutW / 2), 0);
    const x1 = Math.min(cx + Math.floor(cutW / 2), w);
    for (let i = 0; i < n; i++) {
      const j = n - 1 - i;
      for (let y = y0; y < y1; y++) {
        const row = (y * w + x0) * c;
        x.set(source.subarray(j * pixel + row, j * pixel + row + (x1 - x0) * c), i * pixel + row);
      }
    }
    // The label weight is the area actually kept after clipping the box.
    lambda = 1 - ((y1 - y0) * (x1 - x0)) / (h * w);
  }
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    for (let k = 0; k < numClasses; k++) targets[i * numClasses + k] = lambda * sourceTargets[i * numClasses + k]! + (1 - lambda) * sourceTargets[j * numClasses + k]!;
  }
  return lambda;
}

/** Creates a loader over `source`. */
export function createLoader(source: ImageSource, options: LoaderOptions): Loader {
  const { batchSize, seed, shuffle } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new LoaderError(`batchSize must be a positive integer, got ${batchSize}`);
  const size = Math.min(options.limit ?? source.size, source.size);
  if (size < 1) throw new LoaderError(`${source.name}: no examples to load`);
  const dropLast = options.dropLast ?? false;
  if (dropLast && size < batchSize) throw new LoaderError(`${source.name}: ${size} examples make no full batch of ${batchSize}`);
  const stepsPerEpoch = dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  const transform = buildTransform(options.transform);
  const hw = outputSize(options.transform, source.shape);
  if (hw === null) throw new LoaderError(`${source.name}: images vary in size; the transforms must end with a crop to a fixed size`);
  const channels = source.shape?.[2] ?? 3;
  const shape: [number, number, number] = [hw[0], hw[1], channels];
  const numClasses = source.numClasses;
  const mixup = options.mixup ?? 0;
  const cutmix = options.cutmix ?? 0;
  const mixProb = options.mixProb ?? 1;
  const prefetch = Math.max(0, options.prefetch ?? 1);

  async function makeBatch(epoch: number, step: number, order: Int32Array): Promise<Batch> {
    const start = step * batchSize;
    const n = Math.min(batchSize, size - start);
    const pixel = shape[0] * shape[1] * shape[2];
    const x = new Float32Array(n * pixel);
    const labels = new Int32Array(n);
    const targets = new Float32Array(n * numClasses);
    const images = await Promise.all(Array.from({ length: n }, (_, i) => source.read(order[start + i]!)));
    images.forEach((image, i) => {
      const out = transform(image, rngFor(seed, epoch, order[start + i]!));
      if (out.height !== shape[0] || out.width !== shape[1] || out.channels !== shape[2]) {
        throw new LoaderError(`${source.name}: example ${order[start + i]} became ${out.height}×${out.width}×${out.channels}, not ${shape.join('×')}`);
      }
      x.set(out.data, i * pixel);
      labels[i] = image.label;
      targets[i * numClasses + image.label] = 1;
    });
    const batch: Batch = { x, shape: [n, ...shape], labels, targets, step };
    if (mixup > 0 || cutmix > 0) {
      const rng = rngFor(seed, epoch, step, MIX_STREAM);
      if (rng.uniform() < mixProb) {
        const kind = mixup > 0 && cutmix > 0 ? (rng.uniform() < 0.5 ? 'mixup' : 'cutmix') : mixup > 0 ? 'mixup' : 'cutmix';
        mixBatch(batch, numClasses, kind, kind === 'mixup' ? mixup : cutmix, rng);
      }
    }
    return batch;
  }

  return {
    stepsPerEpoch,
    size,
    shape,
    numClasses,
    async *epoch(epoch: number, startStep = 0) {
      if (!Number.isInteger(epoch) || epoch < 0) throw new LoaderError(`epoch must be an integer ≥ 0, got ${epoch}`);
      if (!Number.isInteger(startStep) || startStep < 0 || startStep > stepsPerEpoch) throw new LoaderError(`startStep must be in 0–${stepsPerEpoch}, got ${startStep}`);
      const order = epochOrder(size, shuffle, seed, epoch);
      const pending: Promise<Batch>[] = [];
      let next = startStep;
      // `target` batches in flight: their reads (and sharp's decoding, on libuv's threads) run
      // while the consumer trains on the batch it holds.
      const fill = (target: number) => {
        while (pending.length < target && next < stepsPerEpoch) {
          const batch = makeBatch(epoch, next++, order);
          // A failure surfaces when its batch is awaited; until then it must not count as unhandled.
          batch.catch(() => undefined);
          pending.push(batch);
        }
      };
      fill(Math.max(1, prefetch));
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        fill(prefetch);
        yield batch;
        fill(1);
      }
    },
  };
}
