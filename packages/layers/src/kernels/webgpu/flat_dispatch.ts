import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** Invocations per workgroup: a multiple of every GPU's SIMD width that all devices accept. */
const WORKGROUP = 64;

/** A program whose invocations are numbered 0..threads−1 in one flat range. */
export interface FlatProgram extends WebGPUProgram {
  /** Invocations that do work; the dispatch rounds up to whole workgroups. */
  readonly threads: number;
}

/**
 * The dispatch fields of a {@link FlatProgram} (the backend folds the range into 2-D or 3-D
 * when it exceeds the per-dimension limit, and the shader's `getGlobalIndex()` unfolds it). Our
 * shaders compute their own coordinates from the index, so the layout names the output's axes
 * only to mark the dispatch as flat. The invocation count travels as the uniform `threads`:
 * besides bounding the index it keeps the uniform buffer referenced, since pipelines built
 * with layout 'auto' drop an unused binding and the backend always binds one.
 */
export function flatDispatch(
  rank: number,
  threads: number,
): Required<Pick<WebGPUProgram, 'dispatchLayout' | 'dispatch' | 'workgroupSize' | 'uniforms'>> {
  return {
    dispatchLayout: { x: Array.from({ length: rank }, (_, i) => i) },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms: 'threads : i32,',
  };
}

/** Runs a {@link FlatProgram} on the webgpu backend, passing its `threads` uniform. */
export function runFlatProgram(backend: WebGPUBackend, program: FlatProgram, inputs: TensorInfo[]): TensorInfo {
  return backend.runWebGPUProgram(program, inputs, 'float32', [{ type: 'int32', data: [program.threads] }]);
}
