/**
 * tfjs-layers' ReLU layer whose gradient is one kernel on wasm ({@link reluTrain}); saved as a
 * plain ReLU.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { registerReluGradWasm } from '../kernels/wasm/batch_norm_relu.js';
import { reluTrain } from '../ops/relu_train.js';
import { stockLayerClass } from './stock_layer_class.js';

type ReLU = ReturnType<typeof tfl.layers.reLU>;
type ReLUArgs = Parameters<typeof tfl.layers.reLU>[0];
type Kwargs = Parameters<ReLU['call']>[1];

const ReLUBase = stockLayerClass<new (args?: ReLUArgs) => ReLU>('ReLU');

/**
 * A ReLU layer (class name `ReLU`, so model.json is the stock layer's) computing max(x, 0) with
 * {@link reluTrain}: the same values, a one-kernel gradient on wasm. With a `maxValue` it runs the
 * parent's call.
 */
export class TrainingReLU extends ReLUBase {
  /** Serialized as tfjs-layers' own layer. */
  static readonly className = 'ReLU';

  constructor(args?: ReLUArgs) {
    super(args);
    registerReluGradWasm();
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (((this as unknown as { maxValue?: number | null }).maxValue ?? null) !== null) return super.call(inputs, kwargs);
    registerReluGradWasm();
    return tf.tidy(() => reluTrain(Array.isArray(inputs) ? inputs[0]! : inputs));
  }
}
