// Registers our wasm-backend kernels (a side effect, declared in package.json): the grouped
// convolution and its gradients, plus tfjs' own Conv2DBackpropFilter that tfjs-backend-wasm lacks.
// Nothing here loads @tensorflow/tfjs-backend-wasm; where WebAssembly SIMD is unavailable nothing
// is registered and the ops use their generic paths.
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasmConfig } from './conv2d_backprop_filter.js';
import { groupConv2dWasmConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterWasmConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputWasmConfig } from './group_conv2d_backprop_input.js';
import { wasmKernelsAvailable } from './kernel_module.js';

if (wasmKernelsAvailable) {
  for (const config of [groupConv2dWasmConfig, groupConv2dBackpropInputWasmConfig, groupConv2dBackpropFilterWasmConfig]) {
    registerKernel(config);
  }
  // Never replace a Conv2DBackpropFilter the wasm backend registered itself.
  if (getKernel(conv2dBackpropFilterWasmConfig.kernelName, 'wasm') === undefined) registerKernel(conv2dBackpropFilterWasmConfig);
}
