import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';
import { readFloat32, writeTensor } from './tensor_io.js';

/**
 * dw[i,j,q,g·og+o] = Σ over batch and output pixels of x[b,iy,ix,g·cg+q] · dy[b,oy,ox,g·og+o].
 * Sums run over every output pixel of the batch, so they accumulate in float64.
 */
function groupConv2dBackpropFilterCpu(x: Float32Array, dy: Float32Array, geo: GroupConvGeometry): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = geo;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = geo;
  const { groups, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
  const { top, left } = geo.padInfo;
  const dw = new Float64Array(filterHeight * filterWidth * cg * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const yOff = ((b * outHeight + oy) * outWidth + ox) * outChannels;
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
                for (let o = 0; o < og; o++) dw[wq + o] = dw[wq + o]! + xv * dy[yg + o]!;
              }
            }
          }
        }
      }
    }
  }
  return Float32Array.from(dw);
}

/** GroupConv2DBackpropFilter for the cpu backend. */
export const groupConv2dBackpropFilterCpuConfig = defineKernel(GroupConv2DBackpropFilter, 'cpu', ({ inputs, backend: be, attrs: a }) => {
  const { x, dy } = inputs;
  const geo = groupConvGeometry(x.shape, a.filterShape, a);
  return writeTensor(be, groupConv2dBackpropFilterCpu(readFloat32(be, x), readFloat32(be, dy), geo), a.filterShape);
});
