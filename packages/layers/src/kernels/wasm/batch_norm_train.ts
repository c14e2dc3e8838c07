/**
 * The wasm kernels of training-mode batch normalization (csrc/batch_norm_train.c): forward in two
 * passes over x, backward in two passes over (x, dy).
 */
import { getGradient, getKernel, registerGradient, registerKernel, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { BatchNormTrain, BatchNormTrainGrad, batchNormTrainGradConfig, type BatchNormTrainAttrs } from '../../ops/batch_norm_train.js';
import { shareSavedTensorsWasm } from './batch_norm_saved_tensors.js';
import { kernelsFor, wasmKernelsAvailable } from './kernel_module.js';
import { heapOffset, withScratch, type WasmBackend } from './wasm_backend.js';

/** The exports of csrc/batch_norm_train.c. Pointers are heap byte offsets; m rows of c channels. */
interface BatchNormExports {
  batch_norm_train_scratch_doubles(c: number): number;
  batch_norm_train_scratch_floats(c: number): number;
  batch_norm_train_forward(x: number, gamma: number, beta: number, y: number, mean: number, variance: number, sd: number, sf: number, m: number, c: number, eps: number): void;
  batch_norm_train_backward(
    dy: number,
    x: number,
    gamma: number,
    mean: number,
    variance: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    sd: number,
    sf: number,
    m: number,
    c: number,
    eps: number,
  ): void;
}

/** Runs `body` with the per-channel scratch (doubles first, then floats) the C kernels need. */
function withChannelScratch(be: WasmBackend, k: BatchNormExports, c: number, body: (sd: number, sf: number) => void): void {
  const doubles = k.batch_norm_train_scratch_doubles(c);
  // 8 bytes of slack so the doubles can start 8-byte aligned whatever malloc returns.
  withScratch(be, 8 + doubles * 8 + k.batch_norm_train_scratch_floats(c) * 4, (pointer) => {
    const sd = (pointer + 7) & ~7;
    body(sd, sd + doubles * 8);
  });
}

function rowsAndChannels(x: TensorInfo): [number, number] {
  const c = x.shape[x.shape.length - 1]!;
  return [c === 0 ? 0 : util.sizeFromShape(x.shape) / c, c];
}

/** Forward: y, mean, variance. An empty batch gives y empty and the statistics NaN, as tf.moments does. */
export const batchNormTrainWasmConfig: KernelConfig = {
  kernelName: BatchNormTrain,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const be = backend as WasmBackend;
    const [m, c] = rowsAndChannels(x);
    if (m === 0 || c === 0) {
      const nan = () => be.makeOutput([c], 'float32', undefined, new Float32Array(c).fill(Number.NaN));
      return [be.makeOutput(x.shape, 'float32'), nan(), nan()];
    }
    const y = be.makeOutput(x.shape, 'float32');
    const mean = be.makeOutput([c], 'float32');
    const variance = be.makeOutput([c], 'float32');
    const k = kernelsFor(be) as unknown as BatchNormExports;
    const at = (t: TensorInfo) => heapOffset(be, t);
    withChannelScratch(be, k, c, (sd, sf) =>
      k.batch_norm_train_forward(at(x), at(gamma), at(beta), at(y), at(mean), at(variance), sd, sf, m, c, epsilon),
    );
    return [y, mean, variance];
  },
};

/** Backward: dx, dgamma, dbeta. */
export const batchNormTrainGradWasmConfig: KernelConfig = {
  kernelName: BatchNormTrainGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, x, gamma, mean, variance } = inputs as Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance', TensorInfo>;
    const { epsilon } = attrs as unknown as BatchNormTrainAttrs;
    const be = backend as WasmBackend;
    const [m, c] = rowsAndChannels(x);
    if (m === 0 || c === 0) {
      const zeros = (shape: number[]) => be.makeOutput(shape, 'float32', undefined, new Float32Array(util.sizeFromShape(shape)));
      return [zeros(x.shape), zeros([c]), zeros([c])];
    }
    const dx = be.makeOutput(x.shape, 'float32');
    const dgamma = be.makeOutput([c], 'float32');
    const dbeta = be.makeOutput([c], 'float32');
    const k = kernelsFor(be) as unknown as BatchNormExports;
    const at = (t: TensorInfo) => heapOffset(be, t);
    withChannelScratch(be, k, c, (sd, sf) =>
      k.batch_norm_train_backward(at(dy), at(x), at(gamma), at(mean), at(variance), at(dx), at(dgamma), at(dbeta), sd, sf, m, c, epsilon),
    );
    return [dx, dgamma, dbeta];
  },
};

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
