import * as tf from '@tensorflow/tfjs-core';
import { GroupConvError } from '../errors.js';
import { genericGroupConv2d } from '../kernels/generic/group_conv2d.js';
import { GroupConv2D, GroupConv2DResidual, type ConvPadding, type FusedActivation, type GroupConv2DAttrs } from '../kernels/kernel_names.js';
import { fusesResidual } from '../kernels/residual_fusion.js';
import { groupConvGeometry } from './conv_geometry.js';
import { hasKernel, runKernel } from './dispatch.js';
import { groupConv2dGradients } from './group_conv2d_grad.js';
import { validateGroupConv2d } from './validate_group_conv2d.js';

/** Arguments of {@link fusedGroupConv2d}. */
export interface FusedGroupConv2DArgs {
  /** Input, NHWC: [batch, height, width, channels] or [height, width, channels]. */
  x: tf.Tensor3D | tf.Tensor4D | tf.TensorLike;
  /** Filter [kh, kw, channels / groups, outChannels], the layout of Keras' `Conv2D(groups=…)`. */
  filter: tf.Tensor4D | tf.TensorLike;
  strides?: number | [number, number];
  pad: ConvPadding;
  groups: number;
  dilations?: number | [number, number];
  /** Added per output channel, shape [outChannels]. */
  bias?: tf.Tensor1D | tf.TensorLike;
  /**
   * Added to the output before the activation, shaped like the output (a ResNet shortcut):
   * `activation(conv + bias + residual)`. Where the backend has a fused kernel for it (wasm), the
   * output is written once instead of once per Add and ReLU.
   */
  residual?: tf.Tensor3D | tf.Tensor4D | tf.TensorLike;
  activation?: FusedActivation;
}

type SaveFunc = (tensors: tf.Tensor[]) => void;

/** `v` as a float32 tensor (tensors pass through unchanged, so their dtype is checked later). */
function asTensor(v: tf.Tensor | tf.TensorLike): tf.Tensor {
  return v instanceof tf.Tensor ? v : tf.tensor(v, undefined, 'float32');
}

/**
 * act(linear(x, filter, bias) + residual) with our fused kernels' gradient: core ops give the
 * value, our own gradient (the same as the kernel paths') the derivatives, so training works even
 * where tfjs-core's gradients are not registered. `linear` computes conv + bias.
 */
function withOwnGradient(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | undefined,
  residual: tf.Tensor | undefined,
  attrs: GroupConv2DAttrs,
  linear: (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined) => tf.Tensor4D,
): tf.Tensor4D {
  const inputs = [x, filter, ...(bias === undefined ? [] : [bias]), ...(residual === undefined ? [] : [residual])];
  const withGrad = tf.customGrad((...args: (tf.Tensor | SaveFunc)[]) => {
    const save = args.pop() as SaveFunc;
    const [xv, fv] = args as [tf.Tensor4D, tf.Tensor4D];
    const bv = bias === undefined ? undefined : (args[2] as tf.Tensor1D);
    const rv = residual === undefined ? undefined : (args[args.length - 1] as tf.Tensor4D);
    let value = linear(xv, fv, bv);
    if (rv !== undefined) value = tf.add(value, rv);
    if (attrs.activation === 'relu') value = tf.relu(value);
    save([xv, fv, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sf, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g = groupConv2dGradients(dy as tf.Tensor4D, sx, sf, sy, attrs);
        return [g.x(), g.filter(), ...(bv === undefined ? [] : [g.bias()]), ...(rv === undefined ? [] : [g.residual()])];
      },
    };
  });
  return withGrad(...inputs);
}

/** The grouped convolution from core ops, for backends without our kernel. */
function generic(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined, attrs: GroupConv2DAttrs): tf.Tensor4D {
  return withOwnGradient(x, filter, bias, undefined, attrs, (xv, fv, bv) => {
    const conv = genericGroupConv2d(xv, fv, attrs);
    return bv === undefined ? conv : tf.add(conv, bv);
  });
}

/**
 * `activation(conv + bias + residual)`: the fused residual kernel where the backend has one and
 * it pays (kernels/residual_fusion.ts), else the convolution, an Add and the activation.
 */
function withResidual(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined, residual: tf.Tensor, attrs: GroupConv2DAttrs): tf.Tensor4D {
  const outShape = groupConvGeometry(x.shape, filter.shape, attrs).outShape;
  if (residual.rank !== 4 || !residual.shape.every((d, i) => d === outShape[i])) {
    throw new GroupConvError(
      `groupConv2d: residual must have the output's shape [${outShape.join(', ')}], got [${residual.shape.join(', ')}].`,
    );
  }
  if (residual.dtype !== 'float32') throw new GroupConvError(`groupConv2d: residual must be float32, got ${residual.dtype}.`);
  if (fusesResidual(x, filter, attrs)) {
    return runKernel<tf.Tensor4D>(GroupConv2DResidual, bias === undefined ? { x, filter, residual } : { x, filter, bias, residual }, attrs);
  }
  // Composed: the convolution (with its bias), an Add and the activation.
  const { strides, pad, groups, dilations } = attrs;
  return withOwnGradient(x, filter, bias, residual, attrs, (xv, fv, bv) =>
    fusedGroupConv2d<tf.Tensor4D>({ x: xv, filter: fv, bias: bv, strides, pad, groups, dilations }),
  );
}

/**
 * Grouped 2-D convolution with an optional fused bias, residual and activation:
 * `activation(groupConv2d(x, filter) + bias + residual)`. The fused form saves passes over the
 * output at inference, and is differentiable like the plain one.
 *
 * @throws {@link GroupConvError} naming the offending sizes for a bad rank, dtype, channel count,
 *   filter depth, stride/dilation combination, padding, or residual shape.
 */
export function fusedGroupConv2d<T extends tf.Tensor3D | tf.Tensor4D>(args: FusedGroupConv2DArgs): T {
  const x = asTensor(args.x) as tf.Tensor3D | tf.Tensor4D;
  const filter = asTensor(args.filter) as tf.Tensor4D;
  const bias = args.bias === undefined ? undefined : (asTensor(args.bias) as tf.Tensor1D);
  const residual = args.residual === undefined ? undefined : asTensor(args.residual);
  const activation = args.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') {
    throw new GroupConvError(`groupConv2d: activation must be 'linear' or 'relu', got '${String(activation)}'.`);
  }
  if (x.rank === 3) {
    return tf.tidy(() => {
      const batched = { ...args, x: tf.expandDims<tf.Tensor4D>(x, 0), ...(residual !== undefined && { residual: tf.expandDims<tf.Tensor4D>(residual, 0) }) };
      return tf.squeeze<T>(fusedGroupConv2d<tf.Tensor4D>(batched), [0]);
    });
  }
  const x4 = x as tf.Tensor4D;
  const common = validateGroupConv2d(x4, filter, args.strides ?? 1, args.pad, args.groups, args.dilations ?? 1);
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== filter.shape[3])) {
    throw new GroupConvError(
      `groupConv2d: bias must have shape [${filter.shape[3]}] (output channels), got [${bias.shape.join(', ')}].`,
    );
  }
  if (bias !== undefined && bias.dtype !== 'float32') {
    throw new GroupConvError(`groupConv2d: bias must be float32, got ${bias.dtype}.`);
  }
  const attrs: GroupConv2DAttrs = { ...common, activation };
  if (residual !== undefined) return withResidual(x4, filter, bias, residual, attrs) as T;
  if (common.groups === 1 && common.dilations[0] === 1 && common.dilations[1] === 1) {
    // A plain convolution: the backend's own fused conv (XNNPACK on wasm, multithreaded when the
    // backend is) is the fastest exact kernel, and tfjs-core differentiates it (dilation 1 only).
    return tf.fused.conv2d({ x: x4, filter, strides: common.strides, pad: common.pad, dataFormat: 'NHWC', dilations: 1, ...(bias !== undefined && { bias }), activation }) as T;
  }
  let y: tf.Tensor4D;
  if (hasKernel(GroupConv2D)) {
    y = runKernel<tf.Tensor4D>(GroupConv2D, bias === undefined ? { x: x4, filter } : { x: x4, filter, bias }, attrs);
  } else {
    y = generic(x4, filter, bias, attrs);
  }
  return y as T;
}

/**
 * Grouped 2-D convolution, NHWC. The input's channels are split into `groups` equal groups; each
 * is convolved with its own slice of the filter's output channels, and the results are
 * concatenated. With `groups = 1` it equals `tf.conv2d`; with `groups = channels` it is a
 * depthwise convolution.
 *
 * @param x Input [batch, height, width, channels] (or without the batch axis).
 * @param filter Filter [kh, kw, channels / groups, outChannels].
 * @param strides Stride along height and width.
 * @param pad 'same', 'valid', or explicit [[0,0],[top,bottom],[left,right],[0,0]].
 * @param groups Number of groups; must divide both channel counts.
 * @param dilations Dilation along height and width (cannot exceed 1 together with the stride).
 * @returns [batch, outHeight, outWidth, outChannels] (without the batch axis if x had none).
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([1, 56, 56, 128]);
 * const w = tf.randomNormal([3, 3, 4, 128]); // 32 groups of 4 channels
 * const y = groupConv2d(x, w, 1, 'same', 32); // [1, 56, 56, 128]
 * ```
 */
export function groupConv2d<T extends tf.Tensor3D | tf.Tensor4D>(
  x: T | tf.TensorLike,
  filter: tf.Tensor4D | tf.TensorLike,
  strides: number | [number, number],
  pad: ConvPadding,
  groups: number,
  dilations: number | [number, number] = 1,
): T {
  return fusedGroupConv2d<T>({ x, filter, strides, pad, groups, dilations });
}
