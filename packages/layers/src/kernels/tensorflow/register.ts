// Registers the grouped-convolution kernels of tfjs-node / tfjs-node-gpu (backend 'tensorflow').
// Registration only names the backend; nothing here loads @tensorflow/tfjs-node.
import { registerKernel } from '@tensorflow/tfjs-core';
import { groupConv2dTensorflowConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterTensorflowConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputTensorflowConfig } from './group_conv2d_backprop_input.js';

for (const config of [
  groupConv2dTensorflowConfig,
  groupConv2dBackpropInputTensorflowConfig,
  groupConv2dBackpropFilterTensorflowConfig,
]) {
  registerKernel(config);
}
