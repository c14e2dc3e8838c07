import './kernels/register_all.js';

export { GroupConvError } from './errors.js';
// Kernel names get a `KernelName` suffix here: `GroupConv2D` is the layer class users see.
export {
  GroupConv2D as GroupConv2DKernelName,
  GroupConv2DBackpropFilter as GroupConv2DBackpropFilterKernelName,
  GroupConv2DBackpropInput as GroupConv2DBackpropInputKernelName,
  GroupConv2DResidual as GroupConv2DResidualKernelName,
  type ConvPadding,
  type FusedActivation,
  type GroupConv2DAttrs,
  type GroupConv2DBackpropFilterAttrs,
  type GroupConv2DBackpropInputAttrs,
  type GroupConv2DCommonAttrs,
  type GroupConv2DBackpropFilterInputs,
  type GroupConv2DBackpropInputInputs,
  type GroupConv2DInputs,
  type GroupConv2DResidualInputs,
  ReluGradFromOutput as ReluGradFromOutputKernelName,
  type ReluGradFromOutputInputs,
  BatchNormTrain as BatchNormTrainKernelName,
  BatchNormTrainGrad as BatchNormTrainGradKernelName,
  type BatchNormTrainAttrs,
  type BatchNormTrainGradInputs,
  type BatchNormTrainInputs,
} from './kernels/kernel_names.js';
export { fusedGroupConv2d, groupConv2d, type FusedGroupConv2DArgs } from './ops/group_conv2d.js';
export { groupConv2dBackpropFilter, groupConv2dBackpropInput } from './ops/group_conv2d_backprop.js';
export { GroupConv2D, groupConv2dLayer } from './layers/group_conv2d_layer.js';
export { ResidualGroupConv2D } from './layers/residual_group_conv2d_layer.js';
export { registerResidualFusionRule, type ResidualFusionRule } from './kernels/residual_fusion.js';
export { NATIVE_KERNELS_FLAG, WASM_BACKPROP_FILTER_FLAG, WASM_POINTWISE_FLAG, WASM_SHARED_IDENTITY_FLAG } from './kernels/wasm/flags.js';
export type { GroupConv2DLayerArgs, GroupConv2DLayerPadding } from './layers/group_conv2d_layer_args.js';
export { basicBlock, type BasicBlockOptions, type BasicLayerKey } from './blocks/basic_block.js';
export { bottleneckBlock, type BottleneckBlockOptions, type BottleneckLayerKey } from './blocks/bottleneck_block.js';
export { batchNorm, conv1x1, conv3x3, kaimingNormalFanOut, type BlockCommonOptions } from './blocks/block_layers.js';
export { TrainingBatchNormalization } from './layers/training_batch_norm.js';
export { PointwiseConv2D } from './layers/pointwise_conv2d_layer.js';
export { TrainingReLU } from './layers/training_relu.js';
export { foldBatchNorm } from './fold/fold_batch_norm.js';
export { fileSystem, registerFileSystemRouter, type FileSystemHandler, type FileSystemOptions, type FileSystemSaveResult } from './io/file_system.js';
