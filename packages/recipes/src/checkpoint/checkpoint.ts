import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainingBatchNormalization } from '@resnext/layers';
import { readSafetensors, writeSafetensors, type TensorMap, type TensorRecord } from '@resnext/pretrained';
import type { RecipeConfig } from '../config/recipe_config.js';
import type { OptimizerState } from '../optim/optimizer.js';
import type { NamedWeight } from '../optim/params.js';
import type { EpochMetrics } from '../report/metrics.js';
import { writeFileAtomic } from '@resnext/layers/node-io';

/** Thrown for a checkpoint that cannot resume the run (missing, another recipe, another format). */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Where a run stands, in JSON (the tensors travel separately). */
export interface TrainState {
  /** Epoch in progress (0-based). */
  epoch: number;
  /** Next loader step (micro-batch) of that epoch. */
  loaderStep: number;
  /** Optimizer steps taken so far (the schedule's position). */
  optimizerStep: number;
  /**
   * Running sums of the epoch in progress. `trainSeconds` (training time) and `wallSeconds`
   * (training and checkpoints) of the epoch so far carry its img/s and duration across a
   * resume; checkpoints written before they existed lack them.
   */
  running: { lossSum: number; correct: number; count: number; trainSeconds?: number; wallSeconds?: number };
  /** Metrics of the finished epochs. */
  history: EpochMetrics[];
  /** Wall-clock seconds spent training before this checkpoint (for img/s across resumes). */
  elapsedSeconds: number;
}

/** What a checkpoint holds. */
export interface CheckpointContents {
  state: TrainState;
  config: RecipeConfig;
  weights: Map<string, tf.Tensor>;
  optimizer: OptimizerState;
  ema: Map<string, tf.Tensor> | null;
  /** Each BatchNorm's num_batches_tracked by layer name; empty for checkpoints written before they were kept. */
  batchCounters: Record<string, number>;
}

const FORMAT = 'resnext-recipes-checkpoint/1';

function record(t: tf.Tensor): TensorRecord {
  return { dtype: 'float32', shape: t.shape.slice(), values: t.dataSync() as Float32Array };
}

/**
 * Writes a resumable checkpoint (one safetensors file: `model/…`, `optim/…`, `ema/…` tensors, the
 * state, resolved config and BatchNorm counters as metadata) atomically.
 */
export async function saveCheckpoint(
  file: string,
  parts: {
    state: TrainState;
    config: RecipeConfig;
    weights: readonly NamedWeight[];
    optimizer: OptimizerState;
    ema: ReadonlyMap<string, tf.Tensor> | null;
    batchCounters: Readonly<Record<string, number>>;
  },
): Promise<void> {
  const tensors: TensorMap = new Map();
  for (const w of parts.weights) tensors.set(`model/${w.name}`, record(w.variable));
  for (const [key, t] of parts.optimizer.slots) tensors.set(`optim/${key}`, record(t));
  if (parts.ema !== null) for (const [key, t] of parts.ema) tensors.set(`ema/${key}`, record(t));
  const metadata = {
    format: FORMAT,
    state: JSON.stringify(parts.state),
    config: JSON.stringify(parts.config),
    optimizerMeta: JSON.stringify(parts.optimizer.meta),
    batchCounters: JSON.stringify(parts.batchCounters),
  };
  await writeFileAtomic(file, writeSafetensors(tensors, metadata));
}

/** Reads a checkpoint written by {@link saveCheckpoint}; the caller owns (and disposes) the tensors. */
export async function loadCheckpoint(file: string): Promise<CheckpointContents> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new CheckpointError(`No checkpoint to resume from at ${file} (${(err as Error).message}).`);
  }
  const { tensors, metadata } = readSafetensors(bytes, file);
  if (metadata['format'] !== FORMAT) throw new CheckpointError(`${file} is not a recipes checkpoint (format ${String(metadata['format'])}).`);
  const weights = new Map<string, tf.Tensor>();
  const slots = new Map<string, tf.Tensor>();
  const ema = new Map<string, tf.Tensor>();
  for (const [key, r] of tensors) {
    const slash = key.indexOf('/');
    const [kind, name] = [key.slice(0, slash), key.slice(slash + 1)];
    const t = tf.tensor(r.values, r.shape, 'float32');
    (kind === 'model' ? weights : kind === 'optim' ? slots : ema).set(name, t);
  }
  return {
    state: JSON.parse(metadata['state']!) as TrainState,
    config: JSON.parse(metadata['config']!) as RecipeConfig,
    weights,
    optimizer: { slots, meta: JSON.parse(metadata['optimizerMeta'] ?? '{}') as Record<string, number> },
    ema: ema.size > 0 ? ema : null,
    batchCounters: parseBatchCounters(metadata['batchCounters'], file),
  };
}

/** The checkpoint's BatchNorm counters, checked: an object of non-negative integers ({} when absent). */
function parseBatchCounters(text: string | undefined, file: string): Record<string, number> {
  if (text === undefined) return {};
  let counters: unknown;
  try {
    counters = JSON.parse(text);
  } catch {
    throw new CheckpointError(`${file}: its batchCounters metadata is not JSON.`);
  }
  const valid =
    typeof counters === 'object' && counters !== null && !Array.isArray(counters) && Object.values(counters).every((v) => Number.isSafeInteger(v) && (v as number) >= 0);
  if (!valid) throw new CheckpointError(`${file}: its batchCounters metadata must map layer names to non-negative integers.`);
  return counters as Record<string, number>;
}

/** Each TrainingBatchNormalization's num_batches_tracked, by layer name: what a checkpoint keeps. */
export function batchCounters(model: tfl.LayersModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const layer of model.layers) if (layer instanceof TrainingBatchNormalization) out[layer.name] = layer.numBatchesTracked;
  return out;
}

/**
 * Sets each BatchNorm's num_batches_tracked from a checkpoint's {@link batchCounters} (a checkpoint
 * without them leaves the counters as they are).
 *
 * @throws CheckpointError when a counter names a layer that is not a BatchNorm of the model.
 */
export function restoreBatchCounters(model: tfl.LayersModel, counters: Readonly<Record<string, number>>, file: string): void {
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  for (const [name, count] of Object.entries(counters)) {
    const layer = layers.get(name);
    if (!(layer instanceof TrainingBatchNormalization)) throw new CheckpointError(`${file} does not fit the model: it counts batches of "${name}", which is not a BatchNorm layer of the model.`);
    layer.numBatchesTracked = count;
  }
}

/** Copies checkpoint weights into the model's variables; every weight must be present with its shape. */
export function restoreWeights(weights: readonly NamedWeight[], saved: ReadonlyMap<string, tf.Tensor>, file: string): void {
  for (const w of weights) {
    const t = saved.get(w.name);
    if (t === undefined || t.shape.join() !== w.variable.shape.join()) {
      throw new CheckpointError(`${file} does not fit the model: weight "${w.name}" ${t === undefined ? 'is missing' : `has shape [${t.shape.join(', ')}], the model [${w.variable.shape.join(', ')}]`}.`);
    }
    w.variable.assign(t);
  }
}
