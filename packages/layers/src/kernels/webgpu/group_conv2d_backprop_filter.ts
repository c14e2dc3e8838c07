import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropFilter } from '../kernel_names.js';
import { flatDispatch, runFlatProgram, type FlatProgram } from './flat_dispatch.js';
import { geometryShaderKey } from './shader_key.js';

/**
 * Filter gradient: each invocation owns filter elements and sums x·dy over the batch and every
 * output pixel (each output row summed on its own first, to limit float32 rounding).
 *
 * With both per-group channel counts multiples of 4, an invocation owns a 4×4 block
 * dw[i, j, q..q+3, o..o+3] and adds one outer product of a vec4 of x and a vec4 of dy per
 * pixel: two loads for sixteen multiply-adds. Otherwise it owns one element.
 */
class GroupConv2DBackpropFilterProgram implements FlatProgram {
  variableNames = ['x', 'dy'];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: WebGPUProgram['dispatchLayout'];
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  private readonly geo: GroupConvGeometry;
  private readonly vec4: boolean;
  readonly threads: number;

  constructor(geo: GroupConvGeometry) {
    this.geo = geo;
    this.vec4 = geo.inChannelsPerGroup % 4 === 0 && geo.outChannelsPerGroup % 4 === 0;
    const component = this.vec4 ? 4 : 1;
    this.variableComponents = [component, component];
    this.outputComponent = component;
    this.outputShape = [geo.filterHeight, geo.filterWidth, geo.inChannelsPerGroup, geo.outChannels];
    this.threads = this.outputShape.reduce((a, b) => a * b, 1) / (this.vec4 ? 16 : 1);
    ({
      dispatchLayout: this.dispatchLayout,
      dispatch: this.dispatch,
      workgroupSize: this.workgroupSize,
      uniforms: this.uniforms,
    } = flatDispatch(4, this.threads));
    this.shaderKey = geometryShaderKey('resnextGroupConv2DBackpropFilter', geo);
  }

  getUserCode(): string {
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = this.geo;
    const { strideHeight, strideWidth, dilationHeight, dilationWidth, filterWidth } = this.geo;
    const { inChannelsPerGroup: cg, outChannelsPerGroup: og } = this.geo;
    const { top, left } = this.geo.padInfo;
    // Element (or block) coordinates from the invocation index, and how one pixel's product
    // accumulates and how the result is stored.
    const v = this.vec4
      ? {
          locate: `let o = (index % ${outChannels / 4}) * 4;
                   let rest = index / ${outChannels / 4};
                   let q = (rest % ${cg / 4}) * 4;
                   let tap = rest / ${cg / 4};`,
          zero: 'mat4x4<f32>()',
          product: `let xv = x[xAt / 4];
                    let dv = dy[dyAt / 4];
                    row += mat4x4<f32>(dv * xv.x, dv * xv.y, dv * xv.z, dv * xv.w);`,
          store: `for (var k = 0; k < 4; k++) {
                    setOutputAtIndex(((tap * ${cg} + q + k) * ${outChannels} + o) / 4, acc[k]);
                  }`,
        }
      : {
          locate: `let o = index % ${outChannels};
                   let rest = index / ${outChannels};
                   let q = rest % ${cg};
                   let tap = rest / ${cg};`,
          zero: '0.0',
          product: 'row += x[xAt] * dy[dyAt];',
          store: 'setOutputAtIndex(index, acc);',
        };
    return `
      fn main(index : i32) {
        if (index >= uniforms.threads) { return; }
        ${v.locate}
        let i = tap / ${filterWidth};
        let j = tap - i * ${filterWidth};
        let c = (o / ${og}) * ${cg} + q;
        let iyOff = i * ${dilationHeight} - ${top};
        let ixOff = j * ${dilationWidth} - ${left};
        var acc = ${v.zero};
        for (var batch = 0; batch < ${batchSize}; batch++) {
          for (var oy = 0; oy < ${outHeight}; oy++) {
            let iy = oy * ${strideHeight} + iyOff;
            if (iy < 0 || iy >= ${inHeight}) { continue; }
            var row = ${v.zero};
            for (var ox = 0; ox < ${outWidth}; ox++) {
              let ix = ox * ${strideWidth} + ixOff;
              if (ix < 0 || ix >= ${inWidth}) { continue; }
              let xAt = ((batch * ${inHeight} + iy) * ${inWidth} + ix) * ${inChannels} + c;
              let dyAt = ((batch * ${outHeight} + oy) * ${outWidth} + ox) * ${outChannels} + o;
              ${v.product}
            }
            acc += row;
          }
        }
        ${v.store}
      }
    `;
  }
}

/** GroupConv2DBackpropFilter for the webgpu backend. */
export const groupConv2dBackpropFilterWebgpuConfig = defineKernel(GroupConv2DBackpropFilter, 'webgpu', ({ inputs, backend, attrs: a }) => {
  const { x, dy } = inputs;
  const geo = groupConvGeometry(x.shape, a.filterShape, a);
  return runFlatProgram(backend, new GroupConv2DBackpropFilterProgram(geo), [x, dy]);
});
