import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';
import type { GroupConvGeometry } from '../../ops/conv_geometry.js';

/** Whether {@link GroupConv2DPackedProgram} applies: it pairs channels within a group. */
export function canPackGroupConv(geo: GroupConvGeometry): boolean {
  return geo.inChannelsPerGroup % 2 === 0 && geo.outChannelsPerGroup % 2 === 0;
}

/** Parity of an integer that may be negative. */
const odd = (n: number) => ((n % 2) + 2) % 2 === 1;

/**
 * Forward grouped convolution on packed textures, the layout tfjs-webgl's own ops produce and
 * consume by default: a texel holds a 2×2 block of the last two axes, here 2 columns × 2
 * channels. Each fragment computes output columns (ox, ox+1) × channels (o, o+1) of one row; per
 * tap and pair of input channels it reads one filter texel — a 2×2 block (q, q+1) × (o, o+1),
 * used as a mat2 — and one or two input texels, so about 5 fetches feed 16 multiply-adds where
 * the one-element-per-fragment program needs 32.
 *
 * The filter column j decides which half of an input texel holds column ox·sw − left + j·dw:
 * ox is even, so its parity is that of j·dw − left, known here. The j loop is therefore
 * unrolled in JS with each tap's halves fixed; with stride 1 and an even first column both
 * output columns read the same texel.
 */
export class GroupConv2DPackedProgram implements GPGPUProgram {
  variableNames = ['x', 'W'];
  packedInputs = true;
  packedOutput = true;
  outputShape: number[];
  userCode: string;

  constructor(geo: GroupConvGeometry, hasBias: boolean, relu: boolean) {
    this.outputShape = geo.outShape;
    if (hasBias) this.variableNames.push('bias');
    const { inHeight, inWidth, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = geo;
    const { filterHeight, filterWidth, inChannelsPerGroup: cg, outChannelsPerGroup: og } = geo;
    const { top, left } = geo.padInfo;
    const taps: string[] = [];
    for (let j = 0; j < filterWidth; j++) {
      const aOdd = odd(j * dilationWidth - left);
      const bOdd = odd(j * dilationWidth - left + strideWidth);
      const half = (isOdd: boolean) => (isOdd ? 'zw' : 'xy');
      // Column ox+1 sits in column ox's texel when it is the next column and ox's is even; a
      // valid column ox+1 then implies a valid column ox, since −1 is odd.
      const shared = strideWidth === 1 && !aOdd;
      const body = shared
        ? `if (okA) {
             vec4 t = getX(b, iy, ixA, c0 + q);
             acc0 += m * t.xy;
             if (okB) acc1 += m * t.zw;
           }`
        : `if (okA) acc0 += m * getX(b, iy, ixA, c0 + q).${half(aOdd)};
           if (okB) acc1 += m * getX(b, iy, ixB, c0 + q).${half(bOdd)};`;
      taps.push(`{
        int ixA = ix0 + ${j * dilationWidth};
        int ixB = ixA + ${strideWidth};
        bool okA = ixA >= 0 && ixA < ${inWidth};
        bool okB = hasCol1 && ixB >= 0 && ixB < ${inWidth};
        if (okA || okB) {
          for (int q = 0; q < ${cg}; q += 2) {
            vec4 w = getW(i, ${j}, q, o);
            mat2 m = mat2(w.xy, w.zw);
            ${body}
          }
        }
      }`);
    }
    this.userCode = `
      void main() {
        ivec4 coords = getOutputCoords();
        int b = coords.x;
        int o = coords.w;
        int c0 = (o / ${og}) * ${cg};
        int iy0 = coords.y * ${strideHeight} - ${top};
        int ix0 = coords.z * ${strideWidth} - ${left};
        bool hasCol1 = coords.z + 1 < ${outWidth};
        vec2 acc0 = vec2(0.0);
        vec2 acc1 = vec2(0.0);
        for (int i = 0; i < ${filterHeight}; i++) {
          int iy = iy0 + i * ${dilationHeight};
          if (iy < 0 || iy >= ${inHeight}) continue;
          ${taps.join('\n')}
        }
        ${hasBias ? 'vec2 bias = getBias(o).xy; acc0 += bias; acc1 += bias;' : ''}
        ${relu ? 'acc0 = max(acc0, 0.0); acc1 = max(acc1, 0.0);' : ''}
        setOutput(vec4(acc0, acc1));
      }
    `;
  }
}
