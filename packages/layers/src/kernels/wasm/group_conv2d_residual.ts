import { backend as activeBackend } from '@tensorflow/tfjs-core';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DResidual } from '../kernel_names.js';
import type { ResidualFusionRule } from '../residual_fusion.js';
import { groupConv2dWasm } from './group_conv2d.js';
import { pointwiseKernelWins } from './pointwise_routing.js';
import type { WasmBackend } from './wasm_backend.js';

/**
 * GroupConv2DResidual for the wasm backend: GroupConv2D's kernel, which adds the residual (and
 * applies the ReLU) as it stores each output vector, so the block output is written once instead
 * of three times (conv, Add, ReLU). Values equal our unfused kernel followed by Add and ReLU, bit for bit.
 */
export const groupConv2dResidualWasmConfig = defineKernel(GroupConv2DResidual, 'wasm', groupConv2dWasm);

/**
 * Grouped or dilated convolutions run on our kernel anyway, so fusing only saves passes. Plain
 * convolutions otherwise run on XNNPACK, which is faster than our kernel except for the 1×1 ones
 * pointwise_routing.ts takes over: only those are fused.
 */
export const wasmResidualFusionRule: ResidualFusionRule = (x, filter, attrs) => {
  if (attrs.groups > 1 || attrs.dilations[0] !== 1 || attrs.dilations[1] !== 1) return true;
  return pointwiseKernelWins(activeBackend() as WasmBackend, { x, filter }, { strides: attrs.strides, pad: attrs.pad, activation: attrs.activation });
};
