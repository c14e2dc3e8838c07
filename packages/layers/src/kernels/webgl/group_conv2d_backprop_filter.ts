import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';

/**
 * One filter-gradient element per fragment: dw[i,j,q,o] = Σ over batch and output pixels of
 * x[b, oy·sh − top + i·dh, ox·sw − left + j·dw, g·cg+q] · dy[b,oy,ox,o], g = o / og.
 * Each output row is summed on its own before joining the total, which keeps float32
 * rounding error near that of a two-level sum rather than one long running sum.
 */
class GroupConv2DBackpropFilterProgram implements GPGPUProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(geo: GroupConvGeometry) {
    this.outputShape = [geo.filterHeight, geo.filterWidth, geo.inChannelsPerGroup, geo.outChannels];
    const { batchSize, inHeight, inWidth, outHeight, outWidth } = geo;
    const { strideHeight, strideWidth, dilationHeight, dilationWidth } = geo;
    const { inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
    const { top, left } = geo.padInfo;
    this.userCode = `
      void main() {
        ivec4 coords = getOutputCoords();
        int o = coords.w;
        int c = (o / ${og}) * ${cg} + coords.z;
        int iyOff = coords.x * ${dilationHeight} - ${top};
        int ixOff = coords.y * ${dilationWidth} - ${left};
        float acc = 0.0;
        for (int b = 0; b < ${batchSize}; b++) {
          for (int oy = 0; oy < ${outHeight}; oy++) {
            int iy = oy * ${strideHeight} + iyOff;
            if (iy < 0 || iy >= ${inHeight}) continue;
            float row = 0.0;
            for (int ox = 0; ox < ${outWidth}; ox++) {
              int ix = ox * ${strideWidth} + ixOff;
              if (ix < 0 || ix >= ${inWidth}) continue;
              row += getX(b, iy, ix, c) * getDy(b, oy, ox, o);
            }
            acc += row;
          }
        }
        setOutput(acc);
      }
    `;
  }
}

/** GroupConv2DBackpropFilter for the webgl backend. */
export const groupConv2dBackpropFilterWebglConfig = defineKernel(GroupConv2DBackpropFilter, 'webgl', ({ inputs, backend, attrs: a }) => {
  const { x, dy } = inputs;
  const geo = groupConvGeometry(x.shape, a.filterShape, a);
  return backend.runWebGLProgram(new GroupConv2DBackpropFilterProgram(geo), [x, dy], 'float32');
});
