import { backend as activeBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { GroupConv2DResidual, type GroupConv2DAttrs } from '../kernel_names.js';
import type { ResidualFusionRule } from '../residual_fusion.js';
import { groupConvForward } from './group_conv2d.js';
import { pointwiseKernelWins } from './pointwise_routing.js';
import type { WasmBackend } from './wasm_backend.js';

/**
 * GroupConv2DResidual for the wasm backend: our SIMD kernel adds the residual (and applies the
 * ReLU) as it stores each output vector, so the block output is written once instead of three
 * times (conv, Add, ReLU). Values equal our unfused kernel followed by Add and ReLU, bit for bit.
 */
export const groupConv2dResidualWasmConfig: KernelConfig = {
  kernelName: GroupConv2DResidual,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias, residual } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; residual: TensorInfo };
    const a = attrs as unknown as GroupConv2DAttrs;
    const geo = groupConvGeometry(x.shape, filter.shape, a);
    return groupConvForward(backend as WasmBackend, x, filter, bias, geo, a.activation === 'relu', residual);
  },
};

/**
 * Grouped or dilated convolutions run on our kernel anyway, so fusing only saves passes. Plain
 * convolutions otherwise run on XNNPACK, which is faster than our kernel except for the 1×1 ones
 * pointwise_routing.ts takes over: only those are fused.
 */
export const wasmResidualFusionRule: ResidualFusionRule = (x, filter, attrs) => {
  if (attrs.groups > 1 || attrs.dilations[0] !== 1 || attrs.dilations[1] !== 1) return true;
  return pointwiseKernelWins(activeBackend() as WasmBackend, { x, filter }, { strides: attrs.strides, pad: attrs.pad, activation: attrs.activation });
};
