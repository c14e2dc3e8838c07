import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';
import { forEachTapChannel } from './conv_taps.js';
import { readFloat32, writeTensor } from './tensor_io.js';

/**
 * dw[i,j,q,g·og+o] = Σ over batch and output pixels of x[b,iy,ix,g·cg+q] · dy[b,oy,ox,g·og+o].
 * Sums run over every output pixel of the batch, so they accumulate in float64.
 */
function groupConv2dBackpropFilterCpu(x: Float32Array, dy: Float32Array, geo: GroupConvGeometry): Float32Array {
  const { filterHeight, filterWidth, outChannels, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
  const dw = new Float64Array(filterHeight * filterWidth * cg * outChannels);
  forEachTapChannel(geo, (xi, yg, wq) => {
    const xv = x[xi]!;
    for (let o = 0; o < og; o++) dw[wq + o] = dw[wq + o]! + xv * dy[yg + o]!;
  });
  return Float32Array.from(dw);
}

/** GroupConv2DBackpropFilter for the cpu backend. */
export const groupConv2dBackpropFilterCpuConfig = defineKernel(GroupConv2DBackpropFilter, 'cpu', ({ inputs, backend: be, attrs: a }) => {
  const { x, dy } = inputs;
  const geo = groupConvGeometry(x.shape, a.filterShape, a);
  return writeTensor(be, groupConv2dBackpropFilterCpu(readFloat32(be, x), readFloat32(be, dy), geo), a.filterShape);
});
