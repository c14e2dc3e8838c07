import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { readFloat32, writeTensor } from './tensor_io.js';

/**
 * dx[b,iy,ix,g·cg+q] = Σ dy[b,oy,ox,g·og+o] · w[i,j,q,g·og+o] over the taps that read (iy, ix).
 * Walks the forward loop nest and scatters, so each inner loop is a dot product over one
 * group's contiguous output channels.
 */
function groupConv2dBackpropInputCpu(dy: Float32Array, w: Float32Array, geo: GroupConvGeometry): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = geo;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = geo;
  const { groups, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
  const { top, left } = geo.padInfo;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
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
              const yg = yOff + g * og;
              let wq = wOff + g * og;
              for (let q = 0; q < cg; q++, wq += outChannels) {
                let sum = 0;
                for (let o = 0; o < og; o++) sum += dy[yg + o]! * w[wq + o]!;
                dx[xOff + g * cg + q] = dx[xOff + g * cg + q]! + sum;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}

/** GroupConv2DBackpropInput for the cpu backend. */
export const groupConv2dBackpropInputCpuConfig = defineKernel(GroupConv2DBackpropInput, 'cpu', ({ inputs, backend: be, attrs: a }) => {
  const { dy, filter } = inputs;
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  return writeTensor(be, groupConv2dBackpropInputCpu(readFloat32(be, dy), readFloat32(be, filter), geo), a.inputShape);
});
