import { tensor1d, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';

/**
 * The part of tfjs-node's `NodeJSKernelBackend` (backend name 'tensorflow') our kernels use.
 * Declared here rather than imported: @tensorflow/tfjs-node(-gpu) is an optional peer that
 * registering our kernels must never load.
 */
export interface NativeBackend {
  binding: {
    TF_ATTR_INT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_FLOAT: number;
  };
  /** True when libtensorflow runs ops on a CUDA device (tfjs-node-gpu with a visible GPU). */
  isUsingGpuDevice: boolean;
  executeSingleOutput(name: string, opAttrs: NativeOpAttr[], inputs: TensorInfo[]): Tensor;
}

/** A TensorFlow op attribute as tfjs-node's binding takes it. */
export interface NativeOpAttr {
  name: string;
  type: number;
  value: number | number[] | string | boolean;
}

/**
 * Attributes of TensorFlow's Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter ops for a
 * grouped convolution. TensorFlow infers the group count from input depth ÷ filter depth, so a
 * grouped filter needs no extra attribute.
 */
export function nativeConvAttrs(geo: GroupConvGeometry, binding: NativeBackend['binding']): NativeOpAttr[] {
  const { top, bottom, left, right, type } = geo.padInfo;
  // tfjs reports 'EXPLICIT' for explicit pads, and also for a numeric pad; TF takes both as EXPLICIT.
  const padding = type === 'SAME' || type === 'VALID' ? type : 'EXPLICIT';
  const attrs: NativeOpAttr[] = [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'strides', type: binding.TF_ATTR_INT, value: [1, geo.strideHeight, geo.strideWidth, 1] },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: padding },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'use_cudnn_on_gpu', type: binding.TF_ATTR_BOOL, value: true },
    { name: 'dilations', type: binding.TF_ATTR_INT, value: [1, geo.dilationHeight, geo.dilationWidth, 1] },
  ];
  if (padding === 'EXPLICIT') {
    attrs.push({ name: 'explicit_paddings', type: binding.TF_ATTR_INT, value: [0, 0, top, bottom, left, right, 0, 0] });
  }
  return attrs;
}

/**
 * Runs TensorFlow's Conv2DBackpropInput or Conv2DBackpropFilter for a grouped convolution. Both
 * take the shape of what they compute as an int32 tensor (`input_sizes` / `filter_sizes`), placed
 * among the inputs by `order`; that tensor is made here and freed after the op.
 */
export function executeConvBackprop(
  be: NativeBackend,
  op: 'Conv2DBackpropInput' | 'Conv2DBackpropFilter',
  geo: GroupConvGeometry,
  sizes: readonly number[],
  order: (sizes: TensorInfo) => TensorInfo[],
): Tensor {
  const sizesTensor = tensor1d(sizes as number[], 'int32');
  try {
    return be.executeSingleOutput(op, nativeConvAttrs(geo, be.binding), order(sizesTensor));
  } finally {
    sizesTensor.dispose();
  }
}
