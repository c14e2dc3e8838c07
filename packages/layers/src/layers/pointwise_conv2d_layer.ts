/**
 * tfjs-layers' Conv2D whose bias-free, linear 1x1 'valid' case runs {@link pointwiseConv2d}, so
 * training on wasm never reaches tfjs' slow Conv2DBackpropInput kernel. Saved as a plain Conv2D.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { pointwiseConv2d } from '../ops/pointwise_conv2d.js';
import { stockLayerClass } from './stock_layer_class.js';

type Conv2D = ReturnType<typeof tfl.layers.conv2d>;
type Conv2DArgs = Parameters<typeof tfl.layers.conv2d>[0];
type Kwargs = Parameters<Conv2D['call']>[1];

/** The parent's protected state this subclass reads (tfjs-layers 4.x field names). */
interface ConvState {
  kernelSize: number[];
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number[];
  useBias: boolean;
  activation: { getClassName(): string };
  kernel: tfl.LayerVariable;
}

const Conv2DBase = stockLayerClass<new (args: Conv2DArgs) => Conv2D>('Conv2D');

/**
 * A Conv2D (class name `Conv2D`, so model.json is the stock layer's) that computes a bias-free,
 * linear, channels-last 1x1 'valid' convolution with equal strides through
 * {@link pointwiseConv2d}: the same values, with gradients built from forward convolutions.
 * Other configurations run the parent's call.
 */
export class PointwiseConv2D extends Conv2DBase {
  /** Serialized as tfjs-layers' own layer. */
  static readonly className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const s = this as unknown as ConvState;
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const pointwise =
      input.rank === 4 &&
      s.kernelSize.every((k) => k === 1) &&
      s.dilationRate.every((d) => d === 1) &&
      s.strides[0] === s.strides[1] &&
      s.padding === 'valid' &&
      s.dataFormat === 'channelsLast' &&
      !s.useBias &&
      s.activation.getClassName() === 'linear';
    // Only wasm needs the detour (its Conv2DBackpropInput is slow); elsewhere the stock path is
    // faster and avoids ops some backends lack (webgl has no packed rank-5 pad).
    if (!pointwise || tf.getBackend() !== 'wasm') return super.call(inputs, kwargs);
    return tf.tidy(() => pointwiseConv2d(input as tf.Tensor4D, s.kernel.read() as tf.Tensor4D, s.strides[0]!));
  }
}
