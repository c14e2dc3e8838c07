/**
 * The wasm kernels of training-mode batch normalization (csrc/batch_norm_train.c): forward in two
 * passes over x (channel sums, then y), backward in two passes over (x, dy) (two channel sums, then
 * dx), each on the kernel threads. The sums are cut into parts fixed by the shape, added in part
 * order; the second passes are element-wise: results do not depend on the thread count.
 */
import { getGradient, getKernel, registerGradient, registerKernel, util, type TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainGradConfig } from '../../ops/batch_norm_train.js';
import { defineKernel } from '../define_kernel.js';
import { BatchNormTrain, BatchNormTrainGrad } from '../kernel_names.js';
import { shareSavedTensorsWasm } from './batch_norm_saved_tensors.js';
import { kernelsFor, wasmKernelsAvailable, type KernelExports } from './kernel_module.js';
import { kernelThreads, runRows } from './kernel_threads.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/** Elements below which a pass stays on the calling thread: the pool's hand-off would cost more than it saves. */
const MIN_THREADED_ELEMENTS = 32 * 1024;
/** Elements per unit of the element-wise pass, so that a unit outweighs taking it from the shared counter. */
const AFFINE_UNIT_ELEMENTS = 4096;

/** A pass's inputs beyond the tensors: m rows of c channels, the parts of the sums, threads. */
interface Plan {
  k: KernelExports;
  m: number;
  c: number;
  partRows: number;
  parts: number;
  threads: number;
}

function plan(be: WasmBackend, x: TensorInfo): Plan {
  const c = x.shape[x.shape.length - 1]!;
  const m = c === 0 ? 0 : util.sizeFromShape(x.shape) / c;
  const k = kernelsFor(be);
  const partRows = m > 0 && c > 0 ? k.batch_norm_train_part_rows(m, c) : 1;
  return { k, m, c, partRows, parts: Math.ceil(m / partRows), threads: m * c < MIN_THREADED_ELEMENTS ? 1 : kernelThreads(be) };
}

/**
 * Runs `body` with the scratch the passes need: the parts' float64 partial sums (2c per part,
 * 8-byte aligned) and 3c floats of per-channel coefficients.
 */
function withPassScratch(be: WasmBackend, p: Plan, body: (partials: number, sf: number) => void): void {
  const doubles = 2 * p.c * p.parts;
  // 8 bytes of slack so the doubles can start 8-byte aligned whatever malloc returns.
  withScratch(be, 8 + doubles * 8 + p.k.batch_norm_train_scratch_floats(p.c) * 4, (pointer) => {
    const partials = (pointer + 7) & ~7;
    body(partials, partials + doubles * 8);
  });
}

/** Channel sums of (a − shiftA) and (a − shiftA)(b − shiftB) per part, into `partials` (0 = absent). */
function channelSums(be: WasmBackend, p: Plan, a: number, b: number, shiftA: number, shiftB: number, partials: number): void {
  runRows(be, 'batch_norm_train_sums', p.parts > 1 ? p.threads : 1, p.parts, [a, b, shiftA, shiftB, partials, p.m, p.c, p.partRows]);
}

/** out = a·p + (b − sb)·q + k over all rows, coefficients [p | q | k] at sf (b = 0: absent). */
function affine(be: WasmBackend, p: Plan, a: number, b: number, sb: number, sf: number, out: number): void {
  runRows(be, 'batch_norm_train_affine', p.threads, p.m, [a, b, sb, sf, out, p.m, p.c], Math.max(1, Math.ceil(AFFINE_UNIT_ELEMENTS / p.c)));
}

/** Forward: y, mean, variance. An empty batch gives y empty and the statistics NaN, as tf.moments does. */
const batchNormTrainWasmConfig = defineKernel(BatchNormTrain, 'wasm', ({ inputs, backend: be, attrs }) => {
  const { x, gamma, beta } = inputs;
  const { epsilon } = attrs;
  const p = plan(be, x);
  const { m, c } = p;
  if (m === 0 || c === 0) {
    const nan = () => be.makeOutput([c], 'float32', undefined, new Float32Array(c).fill(Number.NaN));
    return [be.makeOutput(x.shape, 'float32'), nan(), nan()];
  }
  const y = be.makeOutput(x.shape, 'float32');
  const mean = be.makeOutput([c], 'float32');
  const variance = be.makeOutput([c], 'float32');
  const at = (t: TensorInfo) => heapOffset(be, t);
  withPassScratch(be, p, (partials, sf) => {
    // Sums of x − x[0] (its first row): no cancellation in the variance when |mean| ≫ std.
    channelSums(be, p, at(x), 0, at(x), 0, partials);
    p.k.batch_norm_train_forward_stats(partials, p.parts, at(x), at(gamma), at(beta), at(mean), at(variance), sf, m, c, epsilon);
    affine(be, p, at(x), 0, 0, sf, at(y));
  });
  return [y, mean, variance];
});

/** Backward: dx, dgamma, dbeta. */
const batchNormTrainGradWasmConfig = defineKernel(BatchNormTrainGrad, 'wasm', ({ inputs, backend: be, attrs }) => {
  const { dy, x, gamma, mean, variance } = inputs;
  const { epsilon } = attrs;
  const p = plan(be, x);
  const { m, c } = p;
  if (m === 0 || c === 0) {
    const zeros = (shape: number[]) => be.makeOutput(shape, 'float32', undefined, new Float32Array(util.sizeFromShape(shape)));
    return [zeros(x.shape), zeros([c]), zeros([c])];
  }
  const dx = be.makeOutput(x.shape, 'float32');
  const dgamma = be.makeOutput([c], 'float32');
  const dbeta = be.makeOutput([c], 'float32');
  const at = (t: TensorInfo) => heapOffset(be, t);
  withPassScratch(be, p, (partials, sf) => {
    channelSums(be, p, at(dy), at(x), 0, at(mean), partials); // Σ dy, Σ dy·(x − mean)
    p.k.batch_norm_train_backward_stats(partials, p.parts, at(gamma), at(variance), at(dgamma), at(dbeta), sf, m, c, epsilon);
    affine(be, p, at(dy), at(x), at(mean), sf, at(dx));
  });
  return [dx, dgamma, dbeta];
});

/**
 * Registers both kernels for wasm and the op's gradient, once, and makes wasm's Identity (the
 * engine's clone of every tensor saved for a gradient) copy-free; a no-op where our wasm kernels
 * did not compile. Called by the layers that use the op rather than at import, so the
 * registration cannot be tree-shaken away from them.
 */
export function registerBatchNormTrainWasm(): void {
  if (getGradient(BatchNormTrain) === undefined) registerGradient(batchNormTrainGradConfig);
  shareSavedTensorsWasm();
  if (!wasmKernelsAvailable) return;
  for (const config of [batchNormTrainWasmConfig, batchNormTrainGradWasmConfig]) {
    if (getKernel(config.kernelName, 'wasm') === undefined) registerKernel(config);
  }
}
