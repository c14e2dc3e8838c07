/**
 * Routes tfjs' own 1×1 convolutions (`Conv2D`, `FusedConv2D`) on the wasm backend to our kernel
 * when it is the faster one, and to tfjs' (XNNPACK) kernel otherwise.
 *
 * A 1×1 convolution is a GEMM [pixels, in] × [in, out], and in ResNeXt-50 these take about four
 * fifths of the inference time. In Node on Linux x64 the package's native kernels (AVX2 + FMA,
 * native_addon.ts) run them at twice the vector width of any wasm kernel: they take every
 * unpadded one. Elsewhere: XNNPACK's wasm build multiplies and adds separately; our relaxed-SIMD
 * build fuses them (FMA): about 20% faster on one thread, on a par on two (docs/benchmarks.md),
 * except with fewer than MIN_IN_CHANNELS input channels, where XNNPACK stays 10–17% faster. So we
 * take over when our module is that build, the convolution has at least that many input
 * channels, and our kernels run on as many threads as XNNPACK (not so in a browser until our
 * pool's workers are up, see kernel_threads.ts); the plain SIMD build is not faster and leaves them all.
 *
 * tfjs-backend-wasm registers its kernels when it is imported, which may be after this package;
 * so the wrapping happens in a `setupFunc`, which tfjs runs for every kernel of a backend each time
 * that backend becomes active, when tfjs' kernels are certainly registered.
 */
import { Conv2D, FusedConv2D, util, type Conv2DAttrs, type FusedConv2DAttrs, type FusedConv2DInputs, type TensorInfo } from '@tensorflow/tfjs-core';
import { groupConvGeometry } from '../../ops/conv_geometry.js';
import { groupConvForward } from './group_conv2d.js';
import { kernelInstance } from './kernel_module.js';
import { nativeAddon } from './native_addon.js';
import { registerSwitchFlag, switchOn, WASM_POINTWISE_FLAG } from './flags.js';
import { replaceWasmKernel, restoreWasmKernel } from './kernel_replacement.js';
import { kernelsKeepUp } from './kernel_threads.js';
import type { WasmBackend } from './wasm_backend.js';

/** The attributes of tfjs' Conv2D and FusedConv2D that decide whether we can run them. */
export type ConvAttrs = Pick<Conv2DAttrs, 'strides' | 'pad'> &
  Partial<Pick<FusedConv2DAttrs, 'dataFormat' | 'dilations' | 'dimRoundingMode' | 'activation'>>;

/** The inputs of tfjs' Conv2D and FusedConv2D (Conv2D's are `x` and `filter` only). */
type ConvInputs = Partial<Pick<FusedConv2DInputs, 'x' | 'filter' | 'bias' | 'preluActivationWeights'>>;

/** tfjs' kernels the routing wraps. */
const ROUTED = [Conv2D, FusedConv2D] as const;

/** Input channels below which XNNPACK's 1×1 kernel stays faster than ours (measured at 64: 1.12–1.17×). */
const MIN_IN_CHANNELS = 128;

/** Whether a 1×1 convolution's padding is none: 'valid', 'same' (none for a 1×1 filter) or explicit zeros. */
const unpadded = (pad: ConvAttrs['pad']): boolean => typeof pad === 'string' || (typeof pad === 'number' ? pad === 0 : pad.flat().every((p) => p === 0));

const ones = (v: number | [number, number] | undefined): boolean => v === undefined || (Array.isArray(v) ? v[0] === 1 && v[1] === 1 : v === 1);
const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

/**
 * Whether our kernel is the faster one for this convolution: 1×1 NHWC float32, no dilation, at
 * most a per-channel bias and ReLU; and either it is unpadded and the native kernels run here
 * (native_addon.ts: AVX2, twice XNNPACK's wasm vector width), or it has at least MIN_IN_CHANNELS
 * input channels, our module is the relaxed-SIMD (FMA) build, and our kernels run on as many
 * threads as tfjs' own.
 */
export function pointwiseKernelWins(be: WasmBackend, inputs: ConvInputs, attrs: ConvAttrs): boolean {
  const { x, filter, bias, preluActivationWeights } = inputs;
  if (x === undefined || filter === undefined || preluActivationWeights !== undefined) return false;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || filter.shape[0] !== 1 || filter.shape[1] !== 1) return false;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || filter.shape[2] !== x.shape[3]) return false;
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || !ones(attrs.dilations) || (attrs.dimRoundingMode ?? undefined) !== undefined) return false;
  const activation = attrs.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') return false;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== filter.shape[3])) return false;
  if (unpadded(attrs.pad) && nativeAddon() !== undefined) return true;
  if ((x.shape[3] ?? 0) < MIN_IN_CHANNELS) return false;
  return kernelInstance(be).relaxed && kernelsKeepUp(be);
}

/**
 * Our kernel's output for a 1×1 NHWC float32 convolution with at most a per-channel bias and ReLU,
 * or undefined when it is not such a convolution or our kernel is not the faster one here.
 */
export function pointwiseConv(be: WasmBackend, inputs: ConvInputs, attrs: ConvAttrs): TensorInfo | undefined {
  const { x, filter, bias } = inputs;
  if (x === undefined || filter === undefined || !pointwiseKernelWins(be, inputs, attrs)) return undefined;
  const geo = groupConvGeometry(x.shape, filter.shape, { strides: pair(attrs.strides), pad: attrs.pad, dilations: [1, 1], groups: 1 });
  if (util.sizeFromShape(geo.outShape) === 0) return undefined;
  return groupConvForward(be, x, filter, bias, geo, (attrs.activation ?? 'linear') === 'relu');
}

/**
 * Wraps tfjs' wasm Conv2D and FusedConv2D (once), keeping their setup and dispose functions;
 * nothing while the RESNEXT_WASM_POINTWISE flag is off.
 */
export function routePointwiseConvs(): void {
  if (!switchOn(WASM_POINTWISE_FLAG)) return;
  for (const name of ROUTED) {
    replaceWasmKernel(name, (original) => (args) => pointwiseConv(args.backend, args.inputs, args.attrs) ?? original(args));
  }
}

registerSwitchFlag(WASM_POINTWISE_FLAG, (on) => {
  if (on) routePointwiseConvs();
  else for (const name of ROUTED) restoreWasmKernel(name);
});
