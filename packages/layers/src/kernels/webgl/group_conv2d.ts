import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2D } from '../kernel_names.js';
import { glslDotSum } from './glsl_dot.js';
import { canPackGroupConv, GroupConv2DPackedProgram } from './group_conv2d_packed_program.js';

/**
 * The general program (any channel counts), used where {@link GroupConv2DPackedProgram} does not
 * apply: odd channels per group, depthwise. One output element per fragment: y[b,oy,ox,o] sums
 * its group's input channels over the taps that land inside the input. The geometry is compiled
 * into the shader as constants (the backend caches programs by source), so loop bounds are
 * static and the compiler can unroll.
 */
class GroupConv2DProgram implements GPGPUProgram {
  variableNames = ['x', 'W'];
  outputShape: number[];
  userCode: string;

  constructor(geo: GroupConvGeometry, hasBias: boolean, relu: boolean) {
    this.outputShape = geo.outShape;
    if (hasBias) this.variableNames.push('bias');
    const { inHeight, inWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = geo;
    const { filterHeight, filterWidth, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
    const { top, left } = geo.padInfo;
    const dot = glslDotSum(
      'acc',
      cg,
      'q',
      (k) => `getX(b, iy, ix, c0 + ${k})`,
      (k) => `getW(i, j, ${k}, o)`,
    );
    this.userCode = `
      void main() {
        ivec4 coords = getOutputCoords();
        int b = coords.x;
        int o = coords.w;
        int c0 = (o / ${og}) * ${cg};
        int iy0 = coords.y * ${strideHeight} - ${top};
        int ix0 = coords.z * ${strideWidth} - ${left};
        float acc = 0.0;
        for (int i = 0; i < ${filterHeight}; i++) {
          int iy = iy0 + i * ${dilationHeight};
          if (iy < 0 || iy >= ${inHeight}) continue;
          for (int j = 0; j < ${filterWidth}; j++) {
            int ix = ix0 + j * ${dilationWidth};
            if (ix < 0 || ix >= ${inWidth}) continue;
            ${dot}
          }
        }
        ${hasBias ? 'acc += getBias(o);' : ''}
        ${relu ? 'acc = max(acc, 0.0);' : ''}
        setOutput(acc);
      }
    `;
  }
}

/** GroupConv2D (with optional fused bias and ReLU) for the webgl backend: packed when channels pair up. */
export const groupConv2dWebglConfig = defineKernel(GroupConv2D, 'webgl', ({ inputs, backend, attrs: a }) => {
  const { x, filter, bias } = inputs;
  const geo = groupConvGeometry(x.shape, filter.shape, a);
  const relu = a.activation === 'relu';
  const program = canPackGroupConv(geo)
    ? new GroupConv2DPackedProgram(geo, bias !== undefined, relu)
    : new GroupConv2DProgram(geo, bias !== undefined, relu);
  const programInputs = bias === undefined ? [x, filter] : [x, filter, bias];
  return backend.runWebGLProgram(program, programInputs, 'float32');
});
