import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { groupConvGeometry, type GroupConvGeometry } from '../../ops/conv_geometry.js';
import { defineKernel } from '../define_kernel.js';
import { GroupConv2D } from '../kernel_names.js';
import { flatDispatch, runFlatProgram, type FlatProgram } from './flat_dispatch.js';
import { geometryShaderKey } from './shader_key.js';

/**
 * Grouped convolution as a WGSL compute shader, geometry compiled in as constants (they are all
 * part of `shaderKey`, which is how the backend caches pipelines).
 *
 * When both channels-per-group counts are multiples of 4 (ResNeXt's are), each invocation
 * computes four adjacent output channels of one pixel: per tap it reads the group's input
 * channels as vec4s and the filter as 4×4 blocks, one `mat4x4 * vec4` per four input channels.
 * Otherwise each invocation computes one output element with scalar loads.
 */
class GroupConv2DProgram implements FlatProgram {
  variableNames = ['x', 'W'];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: WebGPUProgram['dispatchLayout'];
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  private readonly geo: GroupConvGeometry;
  private readonly hasBias: boolean;
  private readonly relu: boolean;
  private readonly vec4: boolean;
  readonly threads: number;

  constructor(geo: GroupConvGeometry, hasBias: boolean, relu: boolean) {
    this.geo = geo;
    this.hasBias = hasBias;
    this.relu = relu;
    this.vec4 = geo.inChannelsPerGroup % 4 === 0 && geo.outChannelsPerGroup % 4 === 0;
    if (hasBias) this.variableNames.push('bias');
    const component = this.vec4 ? 4 : 1;
    this.variableComponents = this.variableNames.map(() => component);
    this.outputComponent = component;
    this.outputShape = geo.outShape;
    this.threads = geo.outShape.reduce((a, b) => a * b, 1) / component;
    ({
      dispatchLayout: this.dispatchLayout,
      dispatch: this.dispatch,
      workgroupSize: this.workgroupSize,
      uniforms: this.uniforms,
    } = flatDispatch(4, this.threads));
    this.shaderKey = geometryShaderKey('resnextGroupConv2D', geo, hasBias, relu);
  }

  getUserCode(): string {
    const { inHeight, inWidth, inChannels, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth } = this.geo;
    const { filterHeight, filterWidth, inChannelsPerGroup: cg, outChannelsPerGroup: og } = this.geo;
    const { top, left } = this.geo.padInfo;
    const o4 = outChannels / 4;
    const zero = this.vec4 ? 'vec4<f32>(0.0)' : '0.0';
    const taps = this.vec4
      ? `let xRow = (((batch * ${inHeight} + iy) * ${inWidth} + ix) * ${inChannels} + c0) / 4;
         let wRow = ((i * ${filterWidth} + j) * ${cg * outChannels} + o) / 4;
         for (var q = 0; q < ${cg / 4}; q++) {
           let w0 = wRow + q * ${outChannels};
           acc += mat4x4<f32>(W[w0], W[w0 + ${o4}], W[w0 + ${2 * o4}], W[w0 + ${3 * o4}]) * x[xRow + q];
         }`
      : `let xRow = ((batch * ${inHeight} + iy) * ${inWidth} + ix) * ${inChannels} + c0;
         let wRow = (i * ${filterWidth} + j) * ${cg * outChannels} + o;
         for (var q = 0; q < ${cg}; q++) {
           acc += x[xRow + q] * W[wRow + q * ${outChannels}];
         }`;
    return `
      fn main(index : i32) {
        if (index >= uniforms.threads) { return; }
        let coords = getCoordsFromIndex(index * ${this.outputComponent});
        let batch = coords.x;
        let o = coords.w;
        let c0 = (o / ${og}) * ${cg};
        let iy0 = coords.y * ${strideHeight} - ${top};
        let ix0 = coords.z * ${strideWidth} - ${left};
        var acc = ${zero};
        for (var i = 0; i < ${filterHeight}; i++) {
          let iy = iy0 + i * ${dilationHeight};
          if (iy < 0 || iy >= ${inHeight}) { continue; }
          for (var j = 0; j < ${filterWidth}; j++) {
            let ix = ix0 + j * ${dilationWidth};
            if (ix < 0 || ix >= ${inWidth}) { continue; }
            ${taps}
          }
        }
        ${this.hasBias ? `acc += bias[o / ${this.outputComponent}];` : ''}
        ${this.relu ? `acc = max(acc, ${zero});` : ''}
        setOutputAtIndex(index, acc);
      }
    `;
  }
}

/** GroupConv2D (with optional fused bias and ReLU) for the webgpu backend. */
export const groupConv2dWebgpuConfig = defineKernel(GroupConv2D, 'webgpu', ({ inputs, backend, attrs: a }) => {
  const { x, filter, bias } = inputs;
  const geo = groupConvGeometry(x.shape, filter.shape, a);
  const program = new GroupConv2DProgram(geo, bias !== undefined, a.activation === 'relu');
  const programInputs = bias === undefined ? [x, filter] : [x, filter, bias];
  return runFlatProgram(backend, program, programInputs);
});
