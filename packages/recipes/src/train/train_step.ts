import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Batch } from '../data/loader.js';
import type { Param } from '../optim/params.js';
import { smoothedCrossEntropy } from './loss.js';

/** Summed gradients of a group of micro-batches, waiting for the optimizer step. */
export class GradientAccumulator {
  #sums = new Map<string, tf.Tensor>();
  /** Examples accumulated so far. */
  examples = 0;
  /** Micro-batches accumulated so far. */
  microBatches = 0;

  /** Adds the gradients of a summed (not averaged) loss over `n` examples. */
  add(grads: ReadonlyMap<string, tf.Tensor>, n: number): void {
    for (const [name, g] of grads) {
      const old = this.#sums.get(name);
      if (old === undefined) {
        this.#sums.set(name, g);
      } else {
        this.#sums.set(name, tf.add(old, g));
        tf.dispose([old, g]);
      }
    }
    this.examples += n;
    this.microBatches += 1;
  }

  /**
   * The gradients of the mean loss over every accumulated example, so k micro-batches of n equal
   * one batch of k·n exactly (up to float rounding), also for a smaller last group. Resets.
   */
  take(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, g] of this.#sums) {
      out.set(name, tf.div(g, this.examples));
      g.dispose();
    }
    this.#sums = new Map();
    this.examples = 0;
    this.microBatches = 0;
    return out;
  }
}

/** Results of one micro-batch's forward and backward pass. */
export interface MicroBatchResult {
  grads: Map<string, tf.Tensor>;
  /** Sum of the per-example (label-smoothed) losses. */
  lossSum: number;
  /** Examples whose arg-max logit equals the hard label. */
  correct: number;
}

/**
 * Forward in training mode (BN on batch statistics, updating its moving averages), the summed
 * label-smoothed cross-entropy against the batch's target distributions, and its gradients with
 * respect to `params` only (frozen weights get none and cost no backward pass).
 */
export async function microBatchGradients(
  model: tfl.LayersModel,
  params: readonly Param[],
  batch: Batch,
  numClasses: number,
  labelSmoothing: number,
): Promise<MicroBatchResult> {
  const n = batch.shape[0];
  const x = tf.tensor4d(batch.x, batch.shape);
  const targets = tf.tensor2d(batch.targets, [n, numClasses]);
  const labels = tf.tensor1d(batch.labels, 'int32');
  let hits: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor2D;
    hits = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')));
    return tf.sum<tf.Scalar>(smoothedCrossEntropy(logits, targets, labelSmoothing));
  }, params.map((p) => p.variable));
  tf.dispose([x, targets, labels]);
  const byName = new Map<string, tf.Tensor>();
  const nameOf = new Map(params.map((p) => [p.variable.name, p.name]));
  for (const [varName, g] of Object.entries(grads)) byName.set(nameOf.get(varName)!, g);
  const lossSum = (await value.data())[0]!;
  const correct = (await hits!.data())[0]!;
  tf.dispose([value, hits!]);
  return { grads: byName, lossSum, correct };
}
