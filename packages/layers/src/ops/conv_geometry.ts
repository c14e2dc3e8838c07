import { backend_util, type Conv2DAttrs } from '@tensorflow/tfjs-core';
import type { GroupConv2DCommonAttrs } from '../kernels/kernel_names.js';

/**
 * Everything a kernel needs to index a grouped convolution: tfjs' own conv geometry (output size,
 * padding) plus the per-group channel counts.
 */
export interface GroupConvGeometry extends backend_util.Conv2DInfo {
  groups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
}

/**
 * Computes the geometry of `x` [n,h,w,c] convolved with `filter` [kh,kw,c/groups,o]. The padding
 * may also be tfjs' numeric one: the 1×1 routing (kernels/wasm/pointwise_routing.ts) passes tfjs'
 * Conv2D attributes on.
 */
export function groupConvGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: Omit<GroupConv2DCommonAttrs, 'pad'> & Pick<Conv2DAttrs, 'pad'>,
): GroupConvGeometry {
  // computeConv2DInfo reads the output depth from the filter and never compares input depths,
  // so it serves grouped filters unchanged.
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
  );
  return {
    ...info,
    groups: attrs.groups,
    inChannelsPerGroup: info.inChannels / attrs.groups,
    outChannelsPerGroup: info.outChannels / attrs.groups,
  };
}

/**
 * The geometry as a flat list of numbers, in one fixed order: the arguments of our wasm kernels'
 * C entry points (GEOMETRY in csrc/simd.h) and the shader cache key of the webgpu kernels.
 */
export function geometryNumbers(geo: GroupConvGeometry): number[] {
  return [
    geo.batchSize,
    geo.inHeight,
    geo.inWidth,
    geo.inChannels,
    geo.filterHeight,
    geo.filterWidth,
    geo.outChannels,
    geo.groups,
    geo.strideHeight,
    geo.strideWidth,
    geo.dilationHeight,
    geo.dilationWidth,
    geo.padInfo.top,
    geo.padInfo.left,
    geo.outHeight,
    geo.outWidth,
  ];
}
