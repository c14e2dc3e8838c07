import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelInstance } from './kernel_module.js';
import { heapOffset, type WasmBackend } from './wasm_backend.js';

/** Which packing: forward (input channels inside) or input gradient (output channels inside). */
export type FilterPacking = 'forward' | 'transposed';

/** Packed copies per backend: filter dataId → packing key → heap pointer. */
const caches = new WeakMap<WasmBackend, Map<object, Map<string, number>>>();

/**
 * Lookups between sweeps of cache hits. A sweep visits every cached filter (about a hundred in
 * ResNeXt-50, once per convolution it was: the most expensive JavaScript of our kernels' calls),
 * so hits sweep only now and then; a miss always sweeps first. The copies of a disposed model are
 * freed by the next miss or within this many calls.
 */
const SWEEP_EVERY = 64;
let lookups = 0;

/** Frees the packed copies of filters whose tensors the backend no longer holds. */
function sweep(backend: WasmBackend, cache: Map<object, Map<string, number>>): void {
  for (const [dataId, packs] of cache) {
    if (backend.dataIdMap.has(dataId)) continue;
    for (const pointer of packs.values()) backend.wasm._free(pointer);
    cache.delete(dataId);
  }
}

/**
 * Heap pointer of `filter` packed for the kernels, packing it on first use. Like XNNPACK's
 * operators in tfjs-backend-wasm, the packed copy lives as long as the filter tensor: tensor data
 * never changes under a dataId (a Variable's assign takes a new one), so inference packs once.
 */
export function packedFilter(backend: WasmBackend, filter: TensorInfo, geo: GroupConvGeometry, packing: FilterPacking): number {
  let cache = caches.get(backend);
  if (cache === undefined) {
    cache = new Map();
    caches.set(backend, cache);
  }
  const { exports: kernels, wide } = kernelInstance(backend);
  // The forward packing's chunks depend on the instance (plain, or relaxed with or without the wide core).
  const key = `${packing}:${geo.groups}:${wide ? 'wide' : 'narrow'}`;
  let packs = cache.get(filter.dataId);
  const found = packs?.get(key);
  if (++lookups % SWEEP_EVERY === 0 || found === undefined) sweep(backend, cache);
  if (found !== undefined) return found;
  const args = geometryNumbers(geo);
  const pointer = backend.wasm._malloc(kernels.group_conv_packed_filter_bytes(...args)) >>> 0;
  if (pointer === 0) throw new Error('@resnext/layers: the wasm heap could not allocate a packed filter.');
  kernels.group_conv_pack_filter(pointer, heapOffset(backend, filter), packing === 'transposed' ? 1 : 0, wide ? 1 : 0, ...args);
  if (packs === undefined) {
    packs = new Map();
    cache.set(filter.dataId, packs);
  }
  packs.set(key, pointer);
  return pointer;
}
