/**
 * 1×1 convolutions (one group, no padding or dilation) on the native kernels (native_addon.ts),
 * reading and writing tfjs-backend-wasm's heap in place. The addon splits each call between as many
 * threads of its own as the backend has; every output is one FMA chain over the input channels in
 * order, so results do not depend on the thread count.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { nativeAddon, type NativeAddon } from './native_addon.js';
import { heapMemory, heapOffset, type WasmBackend } from './wasm_backend.js';

/** Packed filters by tensor data: they live as long as the filter's data (a weight: the model). */
const packs = new WeakMap<object, Float32Array>();

/** A Float32Array over the backend's whole heap, renewed when the memory grows. */
const heapViews = new WeakMap<WebAssembly.Memory, Float32Array>();

/** A Float32Array over `be`'s whole heap, for the native kernels (offsets in floats). */
export function nativeHeap(be: WasmBackend): Float32Array {
  const memory = heapMemory(be);
  if (memory === undefined) throw new Error('@resnext/layers: the wasm backend exposes no WebAssembly.Memory.');
  let view = heapViews.get(memory);
  if (view === undefined || view.buffer !== memory.buffer) {
    view = new Float32Array(memory.buffer);
    heapViews.set(memory, view);
  }
  return view;
}

/** Whether `geo` is a convolution the native kernel computes: 1×1, one group, no padding, no dilation. */
function nativePointwiseFits(geo: GroupConvGeometry): boolean {
  return (
    geo.filterHeight === 1 &&
    geo.filterWidth === 1 &&
    geo.groups === 1 &&
    geo.dilationHeight === 1 &&
    geo.dilationWidth === 1 &&
    geo.padInfo.top === 0 &&
    geo.padInfo.left === 0 &&
    geo.padInfo.bottom === 0 &&
    geo.padInfo.right === 0
  );
}

/** The addon if it runs `geo` on `be` (see nativePointwiseFits), else undefined. */
export function nativePointwiseAddon(be: WasmBackend, geo: GroupConvGeometry): NativeAddon | undefined {
  if (!nativePointwiseFits(geo) || heapMemory(be) === undefined) return undefined;
  return nativeAddon();
}

function packedFilter(addon: NativeAddon, heap: Float32Array, be: WasmBackend, filter: TensorInfo, inC: number, outC: number): Float32Array {
  let packed = packs.get(filter.dataId);
  if (packed === undefined) {
    packed = new Float32Array(addon.packedFloats(inC, outC));
    addon.pack(heap, heapOffset(be, filter) / 4, packed, inC, outC);
    packs.set(filter.dataId, packed);
  }
  return packed;
}

/**
 * y = act(conv(x, filter) + bias + residual) for a 1×1 convolution `geo` on `threads` threads,
 * written into `y` (already allocated, shaped like geo.outShape).
 */
export function nativePointwise(
  addon: NativeAddon,
  be: WasmBackend,
  geo: GroupConvGeometry,
  threads: number,
  tensors: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; residual?: TensorInfo; y: TensorInfo },
  relu: boolean,
): void {
  const heap = nativeHeap(be);
  const at = (t: TensorInfo | undefined) => (t === undefined ? -1 : heapOffset(be, t) / 4);
  const packed = packedFilter(addon, heap, be, tensors.filter, geo.inChannels, geo.outChannels);
  addon.pointwise(
    heap,
    packed,
    at(tensors.x),
    at(tensors.bias),
    at(tensors.residual),
    at(tensors.y),
    relu ? 1 : 0,
    threads,
    geo.batchSize,
    geo.inHeight,
    geo.inWidth,
    geo.inChannels,
    geo.outHeight,
    geo.outWidth,
    geo.outChannels,
    geo.strideHeight,
    geo.strideWidth,
  );
}
