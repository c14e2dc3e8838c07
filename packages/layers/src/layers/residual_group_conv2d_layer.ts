import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GroupConvError } from '../errors.js';
import { GroupConv2D } from './group_conv2d_layer.js';

type Kwargs = Parameters<tfl.layers.Layer['call']>[1];

/**
 * A {@link GroupConv2D} called on `[x, residual]` that adds the residual before its activation:
 * `activation(groupConv(x) + bias + residual)`, the end of a ResNet block (conv → BN, + shortcut,
 * ReLU) once BN is folded. {@link foldBatchNorm} builds it; on wasm it runs as one kernel that
 * writes the block output once, instead of a convolution, an Add and a ReLU.
 * Same config and weights as GroupConv2D; serialized under its own class name.
 *
 * @example
 * ```ts
 * const y = new ResidualGroupConv2D({ filters: 256, kernelSize: 1, activation: 'relu' }).apply([branch, shortcut]);
 * ```
 */
export class ResidualGroupConv2D extends GroupConv2D {
  /** The name under which the layer is serialized. */
  static override readonly className: string = 'ResidualGroupConv2D';

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [xShape, residualShape] = this.shapes(inputShape);
    super.build(xShape);
    const expected = super.computeOutputShape(xShape);
    if (residualShape.length !== 4 || residualShape.some((d, i) => d !== null && expected[i] !== null && d !== expected[i])) {
      throw new GroupConvError(
        `ResidualGroupConv2D '${this.name}': the residual must have the output's shape ${JSON.stringify(expected)}, got ${JSON.stringify(residualShape)}.`,
      );
    }
    this.inputSpec = [...(this.inputSpec ?? []), { ndim: 4 }];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const [x, residual] = this.pair(Array.isArray(inputs) ? inputs : [inputs]);
      return this.convolve(x as tf.Tensor4D, residual as tf.Tensor4D);
    });
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return super.computeOutputShape(this.shapes(inputShape)[0]);
  }

  /** The two inputs [x, residual] (shapes or tensors), or an error naming what came instead. */
  private pair<T>(inputs: readonly T[]): [T, T] {
    if (inputs.length !== 2) {
      throw new GroupConvError(`ResidualGroupConv2D '${this.name}' takes two inputs [x, residual], got ${inputs.length}.`);
    }
    return [inputs[0]!, inputs[1]!];
  }

  /** The two input shapes; a single shape (one input) is an error. */
  private shapes(inputShape: tfl.Shape | tfl.Shape[]): [tfl.Shape, tfl.Shape] {
    if (!Array.isArray(inputShape[0])) {
      throw new GroupConvError(`ResidualGroupConv2D '${this.name}' takes two inputs [x, residual], got one of shape ${JSON.stringify(inputShape)}.`);
    }
    return this.pair(inputShape as tfl.Shape[]);
  }
}
tf.serialization.registerClass(ResidualGroupConv2D);
