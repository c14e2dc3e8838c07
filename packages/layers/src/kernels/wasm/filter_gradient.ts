import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';
import { geometryNumbers } from '../../ops/conv_geometry.js';
import { kernelsFor } from './kernel_module.js';
import { kernelThreads, runRows } from './kernel_threads.js';
import { sumParts } from './sum_parts.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/**
 * dL/dfilter of the convolution `geo` describes, as a new tensor of `filterShape`: shared by our
 * grouped kernel and tfjs' own Conv2DBackpropFilter (groups = 1). The sum over images and output
 * pixels is cut into a number of parts fixed by the geometry (csrc/group_conv_backprop_filter.c);
 * the kernel threads take parts, each summing into a partial filter of its own, and the partials
 * are added in part order: the same result on any number of threads.
 */
export function filterGradient(be: WasmBackend, x: TensorInfo, dy: TensorInfo, geo: GroupConvGeometry, filterShape: number[]): TensorInfo {
  const len = util.sizeFromShape(filterShape);
  if (util.sizeFromShape(dy.shape) === 0) {
    return be.makeOutput(filterShape, 'float32', undefined, new Float32Array(len));
  }
  const dfilter = be.makeOutput(filterShape, 'float32');
  const kernels = kernelsFor(be);
  const args = geometryNumbers(geo);
  const parts = kernels.group_conv_backprop_filter_parts(...args);
  // One part is one thread's work: no pool hand-off, one scratch share.
  const threads = parts > 1 ? kernelThreads(be) : 1;
  const share = kernels.group_conv_backprop_filter_scratch(...args);
  // One part writes dfilter directly; several write partial filters after the threads' packing scratch.
  const partialBytes = parts > 1 ? parts * len * 4 : 0;
  withScratch(be, threads * share + partialBytes, (scratch) => {
    const partials = parts > 1 ? scratch + threads * share : heapOffset(be, dfilter);
    runRows(be, 'group_conv_backprop_filter', threads, parts, [heapOffset(be, x), heapOffset(be, dy), partials, scratch, parts, ...args]);
    if (parts > 1) sumParts(be, threads, partials, parts, len, heapOffset(be, dfilter));
  });
  return dfilter;
}
