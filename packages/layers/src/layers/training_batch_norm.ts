/**
 * tfjs-layers' BatchNormalization trained as torch.nn.BatchNorm2d trains: the moving variance is
 * updated with the unbiased batch variance (the output is normalized with the biased one, as in
 * both frameworks), and the training-mode forward passes are counted (PyTorch's
 * `num_batches_tracked`). Where the active backend has the fused {@link batchNormTrain} kernels
 * (wasm), a training-mode call runs one forward kernel and one gradient kernel instead of tfjs'
 * moments + batchNorm graph. Inference, weights, config and serialization are the parent's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import { registerBatchNormTrainWasm } from '../kernels/wasm/batch_norm_train.js';
import { batchNormTrain, batchNormTrainAvailable } from '../ops/batch_norm_train.js';
import { stockLayerClass } from './stock_layer_class.js';

type BatchNormalization = ReturnType<typeof tfl.layers.batchNormalization>;
type BatchNormalizationArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
type Kwargs = Parameters<BatchNormalization['call']>[1];

/** The parent's private state this subclass reads (tfjs-layers 4.x field names). */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

const BatchNormalizationBase = stockLayerClass<new (args?: BatchNormalizationArgs) => BatchNormalization>('BatchNormalization');

/** y, and the per-channel batch mean and biased variance, with tfjs ops (any backend, any channel axis). */
function normalizeWithBatchStatistics(x: tf.Tensor, s: BatchNormState, axis: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const reduction = x.shape.map((_, i) => i).filter((i) => i !== axis);
  const { mean, variance } = tf.moments(x, reduction);
  // Per-channel vectors broadcast along the channel axis; tf.batchNorm takes them 1-D when it is the last.
  const broadcast = x.shape.map((d, i) => (i === axis ? d : 1));
  const along = (t: tf.Tensor) => (axis === x.rank - 1 ? t : tf.reshape(t, broadcast));
  const offset = s.center ? along(s.beta.read()) : undefined;
  const scale = s.scale ? along(s.gamma.read()) : undefined;
  return { y: tf.batchNorm(x, along(mean), along(variance), offset, scale, s.epsilon), mean, variance };
}

/**
 * A BatchNormalization that trains exactly as `torch.nn.BatchNorm2d`: in a training-mode call the
 * output is normalized with the batch mean and biased batch variance, and the moving statistics
 * become moving = momentum·moving + (1 − momentum)·batch with the batch mean and the unbiased
 * batch variance (× n/(n − 1), n = values per channel). `momentum` keeps Keras' meaning, the
 * weight of the old average: PyTorch's momentum m is Keras' 1 − m (0.1 → 0.9). Every
 * training-mode call adds one to {@link numBatchesTracked}.
 *
 * Its class name stays `BatchNormalization`, so a saved model.json is the stock layer's and loads
 * as one (without the counter, which tfjs' format has no place for). Where the backend provides
 * them (wasm), the training-mode forward and gradient are one kernel each.
 */
export class TrainingBatchNormalization extends BatchNormalizationBase {
  /** Serialized as tfjs-layers' own layer. */
  static readonly className = 'BatchNormalization';

  /**
   * Training-mode calls so far, PyTorch's `num_batches_tracked`: state dicts carry it both ways
   * (`toStateDict` and `loadStateDict` of @resnext/pretrained). It does not enter the update rule.
   */
  numBatchesTracked = 0;

  constructor(args?: BatchNormalizationArgs) {
    super(args);
    registerBatchNormTrainWasm();
  }

  /**
   * Inference as the parent. Training (`kwargs.training === true`, float32 input): batch
   * statistics, PyTorch's moving-average update and the counter.
   *
   * @throws GroupConvError in training mode when a channel has a single value (n = 1), whose
   * unbiased variance is undefined, as torch.nn.BatchNorm2d refuses it.
   */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const s = this as unknown as BatchNormState;
    if (kwargs['training'] !== true || input.dtype !== 'float32') return super.call(inputs, kwargs);
    const axis = s.axis < 0 ? input.rank + s.axis : s.axis;
    const count = input.size / input.shape[axis]!;
    if (count < 2) {
      throw new GroupConvError(
        `BatchNormalization "${this.name}": training needs more than 1 value per channel, got input [${input.shape.join(', ')}] (channel axis ${axis}).`,
      );
    }
    // Again here: the model may have been built before tfjs-backend-wasm registered its kernels.
    registerBatchNormTrainWasm();
    const fused = axis === input.rank - 1 && s.center && s.scale && batchNormTrainAvailable();
    const out = tf.tidy(() => {
      const { y, mean, variance } = fused
        ? batchNormTrain(input, s.gamma.read() as tf.Tensor1D, s.beta.read() as tf.Tensor1D, s.epsilon)
        : normalizeWithBatchStatistics(input, s, axis);
      for (const [moving, batch] of [
        [s.movingMean, mean],
        [s.movingVariance, tf.mul(variance, count / (count - 1))],
      ] as const) {
        moving.write(tf.add(tf.mul(moving.read(), s.momentum), tf.mul(batch, 1 - s.momentum)));
      }
      return y;
    });
    this.numBatchesTracked += 1;
    return out;
  }
}
