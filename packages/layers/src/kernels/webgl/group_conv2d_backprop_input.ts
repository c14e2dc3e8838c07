import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { glslDotSum } from './glsl_dot.js';

/**
 * One input-gradient element per fragment (a gather, so no atomics or scatter):
 * dx[b,iy,ix,g·cg+q] = Σ over taps (i,j) whose output pixel (oy,ox) exists and over the
 * group's output channels o of dy[b,oy,ox,g·og+o] · w[i,j,q,g·og+o]. A tap contributes when
 * iy + padTop − i·dilation is a non-negative multiple of the stride below outHeight·stride.
 */
class GroupConv2DBackpropInputProgram implements GPGPUProgram {
  variableNames = ['dy', 'W'];
  outputShape: number[];
  userCode: string;

  constructor(geo: GroupConvGeometry) {
    this.outputShape = geo.inShape;
    const { outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = geo;
    const { filterHeight, filterWidth, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
    const { top, left } = geo.padInfo;
    const dot = glslDotSum(
      'acc',
      og,
      'o',
      (k) => `getDy(b, oy, ox, o0 + ${k})`,
      (k) => `getW(i, j, q, o0 + ${k})`,
    );
    this.userCode = `
      void main() {
        ivec4 coords = getOutputCoords();
        int b = coords.x;
        int g = coords.w / ${cg};
        int q = coords.w - g * ${cg};
        int o0 = g * ${og};
        int ty0 = coords.y + ${top};
        int tx0 = coords.z + ${left};
        float acc = 0.0;
        for (int i = 0; i < ${filterHeight}; i++) {
          int ty = ty0 - i * ${dilationHeight};
          if (ty < 0) break;
          int oy = ty / ${strideHeight};
          if (oy * ${strideHeight} != ty || oy >= ${outHeight}) continue;
          for (int j = 0; j < ${filterWidth}; j++) {
            int tx = tx0 - j * ${dilationWidth};
            if (tx < 0) break;
            int ox = tx / ${strideWidth};
            if (ox * ${strideWidth} != tx || ox >= ${outWidth}) continue;
            ${dot}
          }
        }
        setOutput(acc);
      }
    `;
  }
}

/** GroupConv2DBackpropInput for the webgl backend. */
export const groupConv2dBackpropInputWebglConfig = defineKernel(GroupConv2DBackpropInput, 'webgl', ({ inputs, backend, attrs: a }) => {
  const { dy, filter } = inputs;
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  return backend.runWebGLProgram(new GroupConv2DBackpropInputProgram(geo), [dy, filter], 'float32');
});
