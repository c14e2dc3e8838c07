import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2D } from '../kernel_names.js';
import { forEachTapChannel } from './conv_taps.js';
import { readFloat32, writeTensor } from './tensor_io.js';

/**
 * Direct grouped convolution on float32 arrays. Loop order keeps the innermost loop on a
 * contiguous run of the filter (one group's output channels) and the output, as tfjs-cpu's
 * dense conv2d does, so per-FLOP cost matches it.
 */
function groupConv2dForwardCpu(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  relu: boolean,
  geo: GroupConvGeometry,
): Float32Array {
  const { outChannels, outChannelsPerGroup: og } = geo;
  const y = new Float32Array(geo.batchSize * geo.outHeight * geo.outWidth * outChannels);
  // Each output starts from its bias and then adds the taps, as a per-pixel loop would.
  if (bias !== undefined) for (let yOff = 0; yOff < y.length; yOff += outChannels) y.set(bias, yOff);
  forEachTapChannel(geo, (xi, yg, wq) => {
    const xv = x[xi]!;
    for (let o = 0; o < og; o++) y[yg + o] = y[yg + o]! + xv * w[wq + o]!;
  });
  if (relu) for (let o = 0; o < y.length; o++) if (y[o]! < 0) y[o] = 0;
  return y;
}

/** GroupConv2D for the cpu backend. */
export const groupConv2dCpuConfig = defineKernel(GroupConv2D, 'cpu', ({ inputs, backend: be, attrs: a }) => {
  const { x, filter, bias } = inputs;
  const geo = groupConvGeometry(x.shape, filter.shape, a);
  const y = groupConv2dForwardCpu(
    readFloat32(be, x),
    readFloat32(be, filter),
    bias === undefined ? undefined : readFloat32(be, bias),
    a.activation === 'relu',
    geo,
  );
  return writeTensor(be, y, geo.outShape);
});
