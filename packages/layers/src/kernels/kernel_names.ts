/**
 * Our kernels, declared once: each name with the types of its inputs and attributes. Each backend
 * registers its own implementation under these names (one file per kernel per backend, as tfjs
 * does); an op whose kernel is not registered for the active backend runs the generic
 * implementation composed of core ops. {@link KernelSignatures} ties every name, ours and the
 * tfjs kernels we run or wrap, to its types for `defineKernel` and the ops' `runKernel`.
 */
import type {
  backend_util,
  Conv2D,
  Conv2DAttrs,
  Conv2DBackpropFilter,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropFilterInputs,
  Conv2DInputs,
  FusedConv2D,
  FusedConv2DAttrs,
  FusedConv2DInputs,
  Identity,
  IdentityInputs,
  TensorInfo,
} from '@tensorflow/tfjs-core';

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
/** Attributes of {@link GroupConv2D} and {@link GroupConv2DResidual}: the common ones plus the activation. */
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
/** Attributes of {@link GroupConv2DBackpropInput}: the common ones plus the input's shape. */
export interface GroupConv2DBackpropInputAttrs extends GroupConv2DCommonAttrs {
  inputShape: [number, number, number, number];
}

/** Gradient with respect to the filter. Inputs `x`, `dy`; output shape `filterShape`. */
export const GroupConv2DBackpropFilter = 'ResNeXtGroupConv2DBackpropFilter';
/** Inputs of {@link GroupConv2DBackpropFilter}. */
export type GroupConv2DBackpropFilterInputs<T = TensorInfo> = { x: T; dy: T };
/** Attributes of {@link GroupConv2DBackpropFilter}: the common ones plus the filter's shape. */
export interface GroupConv2DBackpropFilterAttrs extends GroupConv2DCommonAttrs {
  filterShape: [number, number, number, number];
}

/** Training-mode batch normalization: outputs y, mean [C], variance [C] (biased). */
export const BatchNormTrain = 'ResNeXtBatchNormTrain';
/**
 * The gradient of {@link BatchNormTrain}: inputs `dy` and the forward's `x`, `gamma`, `mean`,
 * `variance`; outputs dx, dgamma, dbeta.
 */
export const BatchNormTrainGrad = 'ResNeXtBatchNormTrainGrad';
/** Inputs of {@link BatchNormTrain}: `x` (…, C), `gamma` [C], `beta` [C]. */
export type BatchNormTrainInputs = { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
/** Inputs of {@link BatchNormTrainGrad}. */
export type BatchNormTrainGradInputs = { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };
/** Attributes of {@link BatchNormTrain} and {@link BatchNormTrainGrad}. */
export interface BatchNormTrainAttrs {
  epsilon: number;
}

/** The ReLU gradient from the ReLU's output: inputs `dy` and `y`, same shape; output dx = dy where y > 0. */
export const ReluGradFromOutput = 'ResNeXtReluGradFromOutput';
/** Inputs of {@link ReluGradFromOutput}. */
export type ReluGradFromOutputInputs = { dy: TensorInfo; y: TensorInfo };

/** The attributes of a kernel that takes none. */
type NoAttrs = Record<string, never>;

/**
 * Every kernel we implement, run or wrap, by name: its inputs (as a kernel receives them) and
 * attributes. tfjs' own kernels keep tfjs-core's types.
 */
interface KernelSignatures {
  [GroupConv2D]: { inputs: GroupConv2DInputs; attrs: GroupConv2DAttrs };
  [GroupConv2DResidual]: { inputs: GroupConv2DResidualInputs; attrs: GroupConv2DAttrs };
  [GroupConv2DBackpropInput]: { inputs: GroupConv2DBackpropInputInputs; attrs: GroupConv2DBackpropInputAttrs };
  [GroupConv2DBackpropFilter]: { inputs: GroupConv2DBackpropFilterInputs; attrs: GroupConv2DBackpropFilterAttrs };
  [BatchNormTrain]: { inputs: BatchNormTrainInputs; attrs: BatchNormTrainAttrs };
  [BatchNormTrainGrad]: { inputs: BatchNormTrainGradInputs; attrs: BatchNormTrainAttrs };
  [ReluGradFromOutput]: { inputs: ReluGradFromOutputInputs; attrs: NoAttrs };
  [Conv2D]: { inputs: Conv2DInputs; attrs: Conv2DAttrs };
  [FusedConv2D]: { inputs: FusedConv2DInputs; attrs: FusedConv2DAttrs };
  [Conv2DBackpropFilter]: { inputs: Conv2DBackpropFilterInputs; attrs: Conv2DBackpropFilterAttrs };
  [Identity]: { inputs: IdentityInputs; attrs: NoAttrs };
}

/** The name of a kernel in {@link KernelSignatures}. */
export type KernelName = keyof KernelSignatures;

/**
 * The inputs of kernel `K`, each a `T`: TensorInfo as kernels receive them, tf.Tensor as ops pass
 * them. Optional inputs stay optional; tfjs' maps' `| undefined` on required inputs goes.
 */
export type KernelInputs<K extends KernelName, T = TensorInfo> = { [N in keyof KernelSignatures[K]['inputs']]: T };

/** The attributes of kernel `K`. */
export type KernelAttrs<K extends KernelName> = KernelSignatures[K]['attrs'];
