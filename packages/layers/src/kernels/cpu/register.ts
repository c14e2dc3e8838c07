// Registers the grouped-convolution kernels of the cpu backend (a side effect, declared in package.json).
import { registerKernel } from '@tensorflow/tfjs-core';
import { groupConv2dCpuConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterCpuConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputCpuConfig } from './group_conv2d_backprop_input.js';

for (const config of [groupConv2dCpuConfig, groupConv2dBackpropInputCpuConfig, groupConv2dBackpropFilterCpuConfig]) {
  registerKernel(config);
}
