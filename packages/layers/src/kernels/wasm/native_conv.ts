/**
 * Convolutions on the native kernels (native_addon.ts), reading and writing tfjs-backend-wasm's heap
 * in place, where they compute the geometry and are the faster ones:
 * - `pointwise`: 1×1, one group, no padding, no dilation (an AVX2 GEMM);
 * - `groupConv`: grouped, dilation 1, output channels per group a multiple of 8 and at least
 *   MIN_IN_PER_GROUP inputs per group (the last two stages of ResNeXt 32x4d).
 * Both entry points take the wasm kernels' arguments (float offsets instead of byte offsets, then
 * the 16 geometry numbers) and split each call between as many threads of the addon's own as the
 * backend has; every output is one FMA chain in a fixed order, so results do not depend on the
 * thread count.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { geometryNumbers, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { nativeAddon, type NativeAddon } from './native_addon.js';
import { heapMemory, heapOffset, type WasmBackend } from './wasm_backend.js';

/**
 * Input channels per group below which the wasm kernels, which read small groups in place, are the
 * faster ones (ResNeXt-50 32x4d's grouped shapes, 2 threads: at batch 8 groups of 4 and 8 inputs
 * 1.4–1.7× slower natively; of 16 and 32, on 14×14 and 7×7 inputs 1.3–1.8× faster, the stride-2 one
 * on a 28×28 input 1.4× slower; the network 6–9% faster with this rule; at batch 1 all on a par or faster).
 */
const MIN_IN_PER_GROUP = 16;

/** The native entry point for a convolution, and how its filter is packed. */
interface NativeKernel {
  entry: 'pointwise' | 'groupConv';
  /** The filter at heap[filter] (float offset) packed for `entry`. */
  pack(addon: NativeAddon, heap: Float32Array, filter: number, geo: GroupConvGeometry): Float32Array;
}

const POINTWISE: NativeKernel = {
  entry: 'pointwise',
  pack(addon, heap, filter, geo) {
    const packed = new Float32Array(addon.packedFloats(geo.inChannels, geo.outChannels));
    addon.pack(heap, filter, packed, geo.inChannels, geo.outChannels);
    return packed;
  },
};

const GROUP_CONV: NativeKernel = {
  entry: 'groupConv',
  pack(addon, heap, filter, geo) {
    const packed = new Float32Array(geo.filterHeight * geo.filterWidth * geo.inChannelsPerGroup * geo.outChannels);
    addon.groupConvPack(heap, filter, packed, geo.filterHeight, geo.filterWidth, geo.inChannelsPerGroup, geo.outChannels);
    return packed;
  },
};

function pointwiseFits(geo: GroupConvGeometry): boolean {
  const { top, left, bottom, right } = geo.padInfo;
  return geo.filterHeight === 1 && geo.filterWidth === 1 && geo.groups === 1 && top === 0 && left === 0 && bottom === 0 && right === 0;
}

function groupConvFits(geo: GroupConvGeometry): boolean {
  return geo.groups > 1 && geo.outChannelsPerGroup % 8 === 0 && geo.inChannelsPerGroup >= MIN_IN_PER_GROUP;
}

/** A native kernel for `geo` with the addon that runs it, or undefined where the wasm kernels run it. */
export interface NativeConv {
  addon: NativeAddon;
  kernel: NativeKernel;
}

/** The native kernel that runs `geo` on `be` (see the module comment), or undefined. */
export function nativeConvFor(be: WasmBackend, geo: GroupConvGeometry): NativeConv | undefined {
  if (geo.dilationHeight !== 1 || geo.dilationWidth !== 1 || heapMemory(be) === undefined) return undefined;
  const kernel = pointwiseFits(geo) ? POINTWISE : groupConvFits(geo) ? GROUP_CONV : undefined;
  const addon = kernel === undefined ? undefined : nativeAddon();
  return addon === undefined || kernel === undefined ? undefined : { addon, kernel };
}

/** Packed filters by tensor data and entry point: they live as long as the filter's data (a weight: the model). */
const packs = new WeakMap<object, Partial<Record<NativeKernel['entry'], Float32Array>>>();

/** A Float32Array over the backend's whole heap, renewed when the memory grows. */
const heapViews = new WeakMap<WebAssembly.Memory, Float32Array>();

function heapView(be: WasmBackend): Float32Array {
  const memory = heapMemory(be);
  if (memory === undefined) throw new Error('@resnext/layers: the wasm backend exposes no WebAssembly.Memory.');
  let view = heapViews.get(memory);
  if (view === undefined || view.buffer !== memory.buffer) {
    view = new Float32Array(memory.buffer);
    heapViews.set(memory, view);
  }
  return view;
}

/**
 * y = act(conv(x, filter) + bias + residual) for `geo` on `threads` threads with `native` (from
 * {@link nativeConvFor}), written into `y` (already allocated, shaped like geo.outShape).
 */
export function nativeConv(
  { addon, kernel }: NativeConv,
  be: WasmBackend,
  geo: GroupConvGeometry,
  threads: number,
  tensors: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; residual?: TensorInfo; y: TensorInfo },
  relu: boolean,
): void {
  const heap = heapView(be);
  const at = (t: TensorInfo | undefined) => (t === undefined ? -1 : heapOffset(be, t) / 4);
  let byEntry = packs.get(tensors.filter.dataId);
  if (byEntry === undefined) packs.set(tensors.filter.dataId, (byEntry = {}));
  const packed = (byEntry[kernel.entry] ??= kernel.pack(addon, heap, at(tensors.filter), geo));
  addon[kernel.entry](heap, packed, at(tensors.x), at(tensors.bias), at(tensors.residual), at(tensors.y), relu ? 1 : 0, threads, ...geometryNumbers(geo));
}
