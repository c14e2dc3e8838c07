/**
 * Training-mode batch normalization as one kernel with its own gradient kernel, where tfjs'
 * stock path (tf.moments + tf.batchNorm, as tfjs-layers' BatchNormalization runs it) records a
 * dozen kernels and tiles every per-channel gradient to the full tensor. Used by
 * {@link TrainingBatchNormalization} on backends that registered the kernels (wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GroupConvError } from '../errors.js';
import { BatchNormTrain, BatchNormTrainGrad } from '../kernels/kernel_names.js';
import { defineGradient, runKernel } from './dispatch.js';

/** What {@link batchNormTrain} returns. */
export interface BatchNormTrainResult<R extends tf.Rank> {
  /** (x − mean) / √(variance + ε) · gamma + beta. */
  y: tf.Tensor<R>;
  /** Per-channel batch mean. */
  mean: tf.Tensor1D;
  /** Per-channel biased batch variance (as tf.moments gives it). */
  variance: tf.Tensor1D;
}

/**
 * The gradient of {@link BatchNormTrain}: the full training-mode gradient through the batch
 * statistics. The mean and variance outputs carry no gradient (they feed the moving averages
 * only), as in TensorFlow's FusedBatchNorm.
 */
export const batchNormTrainGradConfig = defineGradient({
  kernelName: BatchNormTrain,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0]! : dys;
    const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    // One kernel computes all three gradients; the engine asks for each separately.
    const [dx, dgamma, dbeta] = runKernel<tf.Tensor[]>(BatchNormTrainGrad, { dy, x, gamma, mean, variance }, attrs);
    return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
  },
});

/** Whether the active backend runs {@link batchNormTrain} (registered its kernels). */
export function batchNormTrainAvailable(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(BatchNormTrain, backend) !== undefined && tf.getKernel(BatchNormTrainGrad, backend) !== undefined;
}

/**
 * Normalizes `x` over every axis but the last with its own batch statistics, scales by `gamma`
 * and shifts by `beta`; differentiable with respect to all three. Runs only where
 * {@link batchNormTrainAvailable} (tfjs' `tf.moments` + `tf.batchNorm` compute the same elsewhere).
 *
 * @throws GroupConvError when the active backend has no such kernel or the shapes disagree.
 */
export function batchNormTrain<R extends tf.Rank>(
  x: tf.Tensor<R>,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainResult<R> {
  if (!batchNormTrainAvailable()) {
    throw new GroupConvError(`batchNormTrain: backend '${tf.getBackend()}' has no ${BatchNormTrain} kernel.`);
  }
  const c = x.shape[x.rank - 1];
  if (x.rank < 2 || gamma.shape[0] !== c || beta.shape[0] !== c || x.dtype !== 'float32') {
    throw new GroupConvError(
      `batchNormTrain: x must be float32 of rank ≥ 2 and gamma, beta of its last dimension; got x ${x.dtype} ` +
        `[${x.shape.join(', ')}], gamma [${gamma.shape.join(', ')}], beta [${beta.shape.join(', ')}].`,
    );
  }
  const [y, mean, variance] = runKernel<[tf.Tensor<R>, tf.Tensor1D, tf.Tensor1D]>(BatchNormTrain, { x, gamma, beta }, { epsilon });
  return { y, mean, variance };
}
