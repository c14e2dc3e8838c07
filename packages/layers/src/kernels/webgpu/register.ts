// Registers the grouped-convolution kernels of the webgpu backend (a side effect, declared in
// package.json). Registration only names the backend: the kernels import tfjs-backend-webgpu for
// types alone, so this module never loads the backend package.
import { registerKernel } from '@tensorflow/tfjs-core';
import { groupConv2dWebgpuConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterWebgpuConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputWebgpuConfig } from './group_conv2d_backprop_input.js';

for (const config of [groupConv2dWebgpuConfig, groupConv2dBackpropInputWebgpuConfig, groupConv2dBackpropFilterWebgpuConfig]) {
  registerKernel(config);
}
