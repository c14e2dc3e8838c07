import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2DBackpropInput } from '../kernel_names.js';
import { flatDispatch, runFlatProgram, type FlatProgram } from './flat_dispatch.js';
import { geometryShaderKey } from './shader_key.js';

/**
 * Input gradient as a gather (no atomics): each invocation owns dx elements and visits the taps
 * (i,j) whose output pixel exists — iy + padTop − i·dilation must be a non-negative multiple of
 * the stride — summing dy over the group's output channels against w[i,j,q,·].
 *
 * With both per-group channel counts multiples of 4, an invocation owns four adjacent input
 * channels and takes four output channels per step: `dy (vec4) * mat4x4(w rows q..q+3)`.
 */
class GroupConv2DBackpropInputProgram implements FlatProgram {
  variableNames = ['dy', 'W'];
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
    this.outputShape = geo.inShape;
    this.threads = geo.inShape.reduce((a, b) => a * b, 1) / component;
    ({
      dispatchLayout: this.dispatchLayout,
      dispatch: this.dispatch,
      workgroupSize: this.workgroupSize,
      uniforms: this.uniforms,
    } = flatDispatch(4, this.threads));
    this.shaderKey = geometryShaderKey('resnextGroupConv2DBackpropInput', geo);
  }

  getUserCode(): string {
    const { outHeight, outWidth, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth } = this.geo;
    const { filterHeight, filterWidth, inChannelsPerGroup: cg, outChannelsPerGroup: og } = this.geo;
    const { top, left } = this.geo.padInfo;
    const o4 = outChannels / 4;
    const channels = this.vec4
      ? `let dyRow = (((batch * ${outHeight} + oy) * ${outWidth} + ox) * ${outChannels} + o0) / 4;
         let wRow = (((i * ${filterWidth} + j) * ${cg} + q) * ${outChannels} + o0) / 4;
         for (var k = 0; k < ${og / 4}; k++) {
           let w0 = wRow + k;
           acc += dy[dyRow + k] * mat4x4<f32>(W[w0], W[w0 + ${o4}], W[w0 + ${2 * o4}], W[w0 + ${3 * o4}]);
         }`
      : `let dyRow = ((batch * ${outHeight} + oy) * ${outWidth} + ox) * ${outChannels} + o0;
         let wRow = ((i * ${filterWidth} + j) * ${cg} + q) * ${outChannels} + o0;
         for (var k = 0; k < ${og}; k++) {
           acc += dy[dyRow + k] * W[wRow + k];
         }`;
    return `
      fn main(index : i32) {
        if (index >= uniforms.threads) { return; }
        let coords = getCoordsFromIndex(index * ${this.outputComponent});
        let batch = coords.x;
        let g = coords.w / ${cg};
        let q = coords.w - g * ${cg};
        let o0 = g * ${og};
        let ty0 = coords.y + ${top};
        let tx0 = coords.z + ${left};
        var acc = ${this.vec4 ? 'vec4<f32>(0.0)' : '0.0'};
        for (var i = 0; i < ${filterHeight}; i++) {
          let ty = ty0 - i * ${dilationHeight};
          if (ty < 0) { break; }
          let oy = ty / ${strideHeight};
          if (oy * ${strideHeight} != ty || oy >= ${outHeight}) { continue; }
          for (var j = 0; j < ${filterWidth}; j++) {
            let tx = tx0 - j * ${dilationWidth};
            if (tx < 0) { break; }
            let ox = tx / ${strideWidth};
            if (ox * ${strideWidth} != tx || ox >= ${outWidth}) { continue; }
            ${channels}
          }
        }
        setOutputAtIndex(index, acc);
      }
    `;
  }
}

/** GroupConv2DBackpropInput for the webgpu backend. */
export const groupConv2dBackpropInputWebgpuConfig = defineKernel(GroupConv2DBackpropInput, 'webgpu', ({ inputs, backend, attrs: a }) => {
  const { dy, filter } = inputs;
  const geo = groupConvGeometry(a.inputShape, filter.shape, a);
  return runFlatProgram(backend, new GroupConv2DBackpropInputProgram(geo), [dy, filter]);
});
