/**
 * Which convolutions a backend's {@link GroupConv2DResidual} kernel should run. Fusing the residual
 * Add and the ReLU into the convolution saves two passes over its output, but only pays where that
 * backend's fused kernel is not slower at the convolution itself than the kernel the op would use
 * otherwise (on wasm: XNNPACK for most plain convolutions). Backends register a rule with their
 * kernel; the op asks here before choosing the fused kernel.
 */
import { getBackend, getKernel, type TensorInfo } from '@tensorflow/tfjs-core';
import { GroupConv2DResidual, type GroupConv2DAttrs } from './kernel_names.js';

/** Whether the backend's fused kernel should run this convolution (inputs already validated). */
export type ResidualFusionRule = (x: TensorInfo, filter: TensorInfo, attrs: GroupConv2DAttrs) => boolean;

const rules = new Map<string, ResidualFusionRule>();

/** Sets the rule of `backendName`'s {@link GroupConv2DResidual} kernel (without one, it runs every convolution). */
export function registerResidualFusionRule(backendName: string, rule: ResidualFusionRule): void {
  rules.set(backendName, rule);
}

/** Whether the active backend runs this convolution with its residual as one fused kernel. */
export function fusesResidual(x: TensorInfo, filter: TensorInfo, attrs: GroupConv2DAttrs): boolean {
  const backend = getBackend();
  if (getKernel(GroupConv2DResidual, backend) === undefined) return false;
  return rules.get(backend)?.(x, filter, attrs) ?? true;
}
