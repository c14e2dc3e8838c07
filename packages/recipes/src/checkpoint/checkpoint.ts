import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type TensorMap, type TensorRecord } from '@resnext/pretrained';
import type { RecipeConfig } from '../config/recipe_config.js';
import type { OptimizerState } from '../optim/optimizer.js';
import type { NamedWeight } from '../optim/params.js';
import type { EpochMetrics } from '../report/metrics.js';
import { writeFileAtomic } from './atomic_write.js';

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
}

const FORMAT = 'resnext-recipes-checkpoint/1';

function record(t: tf.Tensor): TensorRecord {
  return { dtype: 'float32', shape: t.shape.slice(), values: t.dataSync() as Float32Array };
}

/**
 * Writes a resumable checkpoint (one safetensors file: `model/…`, `optim/…`, `ema/…` tensors, the
 * state and resolved config as metadata) atomically.
 */
export async function saveCheckpoint(
  file: string,
  parts: { state: TrainState; config: RecipeConfig; weights: readonly NamedWeight[]; optimizer: OptimizerState; ema: ReadonlyMap<string, tf.Tensor> | null },
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
  };
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
