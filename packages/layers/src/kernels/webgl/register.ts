// Registers the grouped-convolution kernels of the webgl backend (a side effect, declared in
// package.json). Registration only names the backend: the kernels import tfjs-backend-webgl for
// types alone, so this module never loads the backend package.
import { registerKernel } from '@tensorflow/tfjs-core';
import { groupConv2dWebglConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterWebglConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputWebglConfig } from './group_conv2d_backprop_input.js';

for (const config of [groupConv2dWebglConfig, groupConv2dBackpropInputWebglConfig, groupConv2dBackpropFilterWebglConfig]) {
  registerKernel(config);
}
