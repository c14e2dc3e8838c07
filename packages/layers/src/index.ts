import './kernels/register_all.js';

export { GroupConvError } from './errors.js';
export {
  GroupConv2D,
  GroupConv2DBackpropFilter,
  GroupConv2DBackpropInput,
  type ConvPadding,
  type FusedActivation,
  type GroupConv2DAttrs,
  type GroupConv2DBackpropFilterAttrs,
  type GroupConv2DBackpropInputAttrs,
  type GroupConv2DCommonAttrs,
} from './kernels/kernel_names.js';
export { fusedGroupConv2d, groupConv2d, type FusedGroupConv2DArgs } from './ops/group_conv2d.js';
export { groupConv2dBackpropFilter, groupConv2dBackpropInput } from './ops/group_conv2d_backprop.js';
export { groupConvGeometry, type GroupConvGeometry } from './ops/conv_geometry.js';
