import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2D } from '../kernel_names.js';
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
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = geo;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = geo;
  const { groups, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
  const { top, left } = geo.padInfo;
  const y = new Float32Array(batchSize * outHeight * outWidth * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const yOff = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        if (bias !== undefined) y.set(bias, yOff);
        for (let i = 0; i < filterHeight; i++) {
          const iy = oy * strideHeight - top + i * dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let j = 0; j < filterWidth; j++) {
            const ix = ox * strideWidth - left + j * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            const xOff = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const wOff = (i * filterWidth + j) * cg * outChannels;
            for (let g = 0; g < groups; g++) {
              const xg = xOff + g * cg;
              const yg = yOff + g * og;
              let wq = wOff + g * og;
              for (let q = 0; q < cg; q++, wq += outChannels) {
                const xv = x[xg + q]!;
                for (let o = 0; o < og; o++) y[yg + o] = y[yg + o]! + xv * w[wq + o]!;
              }
            }
          }
        }
        if (relu) for (let o = yOff; o < yOff + outChannels; o++) if (y[o]! < 0) y[o] = 0;
      }
    }
  }
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
