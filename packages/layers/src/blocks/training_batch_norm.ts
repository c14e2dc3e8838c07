/**
 * tfjs-layers' BatchNormalization with a fast training path: where the active backend has the
 * fused {@link batchNormTrain} kernels (wasm), a training-mode call runs one forward kernel and
 * one gradient kernel instead of tfjs' moments + batchNorm graph. Everything else (inference,
 * other backends, weights, config, serialization) is the parent's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
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

/**
 * A BatchNormalization whose training-mode forward and gradient are one kernel each where the
 * backend provides them. Its class name stays `BatchNormalization`, so a saved model.json is the
 * stock layer's and loads as one; the moving averages update as the parent updates them
 * (moving ← momentum·moving + (1 − momentum)·batch, with the biased batch variance).
 */
export class TrainingBatchNormalization extends BatchNormalizationBase {
  /** Serialized as tfjs-layers' own layer. */
  static readonly className = 'BatchNormalization';

  constructor(args?: BatchNormalizationArgs) {
    super(args);
    registerBatchNormTrainWasm();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const s = this as unknown as BatchNormState;
    const lastAxis = s.axis === -1 || s.axis === input.rank - 1;
    if (kwargs['training'] !== true || !lastAxis || !s.center || !s.scale || input.dtype !== 'float32') return super.call(inputs, kwargs);
    // Again here: the model may have been built before tfjs-backend-wasm registered its kernels.
    registerBatchNormTrainWasm();
    if (!batchNormTrainAvailable()) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(input, s.gamma.read() as tf.Tensor1D, s.beta.read() as tf.Tensor1D, s.epsilon);
      for (const [moving, batch] of [
        [s.movingMean, mean],
        [s.movingVariance, variance],
      ] as const) {
        const old = moving.read();
        moving.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - s.momentum)));
      }
      return y;
    });
  }
}
