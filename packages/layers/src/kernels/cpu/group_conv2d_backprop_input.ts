import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { forEachTapChannel } from './conv_taps.js';
import { readFloat32, writeTensor } from './tensor_io.js';

/**
 * dx[b,iy,ix,g·cg+q] = Σ dy[b,oy,ox,g·og+o] · w[i,j,q,g·og+o] over the taps that read (iy, ix).
 * Walks the forward loop nest and scatters, so each inner loop is a dot product over one
 * group's contiguous output channels.
 */
function groupConv2dBackpropInputCpu(dy: Float32Array, w: Float32Array, geo: GroupConvGeometry): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outChannelsPerGroup: og } = geo;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  forEachTapChannel(geo, (xi, yg, wq) => {
    let sum = 0;
    for (let o = 0; o < og; o++) sum += dy[yg + o]! * w[wq + o]!;
    dx[xi] = dx[xi]! + sum;
  });
  return dx;
}

/** GroupConv2DBackpropInput for the cpu backend. */
export const groupConv2dBackpropInputCpuConfig = defineKernel(GroupConv2DBackpropInput, 'cpu', ({ inputs, backend: be, attrs: a }) => {
  const { dy, filter } = inputs;
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  return writeTensor(be, groupConv2dBackpropInputCpu(readFloat32(be, dy), readFloat32(be, filter), geo), a.inputShape);
});
