/**
 * Grouped convolutions' forward pass on the native kernels (native_addon.ts) where their geometry
 * fits and they are the faster ones (dilation 1; output channels per group a multiple of 8, at least
 * MIN_IN_PER_GROUP inputs per group: the last two stages of ResNeXt 32x4d), reading and writing
 * tfjs-backend-wasm's heap in place. Every output is one FMA chain over the taps and, within a tap, the group's input channels
 * in order, so results do not depend on the thread count.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { nativeAddon, type NativeAddon } from './native_addon.js';
import { heapOffset, type WasmBackend } from './wasm_backend.js';
import { nativeHeap } from './native_pointwise.js';

/** Packed filters by tensor data: they live as long as the filter's data (a weight: the model). */
const packs = new WeakMap<object, Float32Array>();

/**
 * Input channels per group below which the wasm kernels, which read small groups in place, are the
 * faster ones (ResNeXt-50 32x4d's grouped shapes, 2 threads: at batch 8 groups of 4 and 8 inputs
 * 1.4–1.7× slower natively; of 16 and 32, on 14×14 and 7×7 inputs 1.3–1.8× faster, the stride-2 one
 * on a 28×28 input 1.4× slower; the network 6–9% faster with this rule; at batch 1 all on a par or faster).
 */
const MIN_IN_PER_GROUP = 16;

/** Whether the native grouped kernel computes `geo` and is the faster one (see the module comment). */
function fits(geo: GroupConvGeometry): boolean {
  if (geo.dilationHeight !== 1 || geo.dilationWidth !== 1 || geo.groups < 2) return false;
  return geo.outChannelsPerGroup % 8 === 0 && geo.inChannelsPerGroup >= MIN_IN_PER_GROUP;
}

/** The addon if it runs the grouped convolution `geo` on `be`, else undefined. */
export function nativeGroupConvAddon(geo: GroupConvGeometry): NativeAddon | undefined {
  return fits(geo) ? nativeAddon() : undefined;
}

/**
 * y = act(groupConv(x, filter) + bias + residual) for `geo` on `threads` threads, written into `y`
 * (already allocated, shaped like geo.outShape).
 */
export function nativeGroupConv(
  addon: NativeAddon,
  be: WasmBackend,
  geo: GroupConvGeometry,
  threads: number,
  tensors: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; residual?: TensorInfo; y: TensorInfo },
  relu: boolean,
): void {
  const heap = nativeHeap(be);
  const at = (t: TensorInfo | undefined) => (t === undefined ? -1 : heapOffset(be, t) / 4);
  let packed = packs.get(tensors.filter.dataId);
  if (packed === undefined) {
    packed = new Float32Array(geo.filterHeight * geo.filterWidth * geo.inChannelsPerGroup * geo.outChannels);
    addon.groupConvPack(heap, at(tensors.filter), packed, geo.filterHeight, geo.filterWidth, geo.inChannelsPerGroup, geo.outChannels);
    packs.set(tensors.filter.dataId, packed);
  }
  addon.groupConv(
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
    geo.filterHeight,
    geo.filterWidth,
    geo.outHeight,
    geo.outWidth,
    geo.outChannels,
    geo.groups,
    geo.strideHeight,
    geo.strideWidth,
    geo.padInfo.top,
    geo.padInfo.left,
  );
}
