// Registers our wasm-backend kernels (a side effect, declared in package.json): the grouped
// convolution (also with a fused residual) and its gradients, plus tfjs' own Conv2DBackpropFilter that tfjs-backend-wasm lacks;
// and wraps tfjs' 1x1 Conv2D / FusedConv2D once the wasm backend is active. The changes to tfjs'
// own kernels each follow a tfjs flag (flags.ts), on by default.
// Nothing here loads @tensorflow/tfjs-backend-wasm; where WebAssembly SIMD is unavailable nothing
// is registered and the ops use their generic paths.
import { registerKernel } from '@tensorflow/tfjs-core';
import { registerConv2dBackpropFilterWasm } from './conv2d_backprop_filter.js';
import { groupConv2dWasmConfig } from './group_conv2d.js';
import { groupConv2dBackpropFilterWasmConfig } from './group_conv2d_backprop_filter.js';
import { groupConv2dBackpropInputWasmConfig } from './group_conv2d_backprop_input.js';
import { groupConv2dResidualWasmConfig, wasmResidualFusionRule } from './group_conv2d_residual.js';
import { registerResidualFusionRule } from '../residual_fusion.js';
import { wasmKernelsAvailable } from './kernel_module.js';
import { routePointwiseConvs } from './pointwise_routing.js';

if (wasmKernelsAvailable) {
  // The grouped convolution's setup (run whenever the wasm backend becomes active) also routes
  // tfjs' 1x1 convolutions to our kernel where it is faster (pointwise_routing.ts).
  registerKernel({ ...groupConv2dWasmConfig, setupFunc: routePointwiseConvs });
  for (const config of [groupConv2dResidualWasmConfig, groupConv2dBackpropInputWasmConfig, groupConv2dBackpropFilterWasmConfig]) registerKernel(config);
  registerResidualFusionRule('wasm', wasmResidualFusionRule);
  registerConv2dBackpropFilterWasm();
}
