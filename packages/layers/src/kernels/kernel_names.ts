/**
 * The grouped-convolution kernels, declared once. Each backend registers its own implementation
 * under these names (one file per kernel per backend, as tfjs does); an op whose kernel is not
 * registered for the active backend runs the generic implementation composed of core ops.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';

/** Padding as `tf.conv2d` takes it: 'same', 'valid', or explicit NHWC pairs. */
export type ConvPadding = 'same' | 'valid' | backend_util.ExplicitPadding;

/** Activations the fused forward kernel applies after the bias. */
export type FusedActivation = 'linear' | 'relu';

/** Attributes shared by the forward and both backward kernels. */
export interface GroupConv2DCommonAttrs {
  strides: [number, number];
  pad: ConvPadding;
  dilations: [number, number];
  groups: number;
}

/** Forward: y = act(groupConv(x, filter) + bias). Inputs `x` [n,h,w,c], `filter` [kh,kw,c/groups,o], optional `bias` [o]. */
export const GroupConv2D = 'ResNeXtGroupConv2D';
/**
 * Inputs of {@link GroupConv2D}, as a kernel receives them (`T`: TensorInfo, or tfjs-node's
 * tensors). Object types, not interfaces, so tfjs' `NamedTensorInfoMap` converts to them.
 */
export type GroupConv2DInputs<T = TensorInfo> = { x: T; filter: T; bias?: T };
export interface GroupConv2DAttrs extends GroupConv2DCommonAttrs {
  activation: FusedActivation;
}

/**
 * Forward with a residual (a ResNet shortcut) joining before the activation:
 * y = act(groupConv(x, filter) + bias + residual). Inputs as {@link GroupConv2D} plus `residual`,
 * shaped like y; {@link GroupConv2DAttrs}. Registered only where one kernel beats a convolution
 * followed by Add and ReLU (see kernels/residual_fusion.ts); elsewhere the op composes those.
 */
export const GroupConv2DResidual = 'ResNeXtGroupConv2DResidual';
/** Inputs of {@link GroupConv2DResidual}. */
export type GroupConv2DResidualInputs<T = TensorInfo> = GroupConv2DInputs<T> & { residual?: T };

/** Gradient with respect to the input. Inputs `dy` [n,oh,ow,o], `filter`; output shape `inputShape`. */
export const GroupConv2DBackpropInput = 'ResNeXtGroupConv2DBackpropInput';
/** Inputs of {@link GroupConv2DBackpropInput}. */
export type GroupConv2DBackpropInputInputs<T = TensorInfo> = { dy: T; filter: T };
export interface GroupConv2DBackpropInputAttrs extends GroupConv2DCommonAttrs {
  inputShape: [number, number, number, number];
}

/** Gradient with respect to the filter. Inputs `x`, `dy`; output shape `filterShape`. */
export const GroupConv2DBackpropFilter = 'ResNeXtGroupConv2DBackpropFilter';
/** Inputs of {@link GroupConv2DBackpropFilter}. */
export type GroupConv2DBackpropFilterInputs<T = TensorInfo> = { x: T; dy: T };
export interface GroupConv2DBackpropFilterAttrs extends GroupConv2DCommonAttrs {
  filterShape: [number, number, number, number];
}
