// One training step equals PyTorch's. fixtures/torchvision/train_step_golden.safetensors (made by
// tools/fixtures/make_train_step_golden.py with torch 1.13) holds a small two-stage torchvision
// ResNeXt, a batch of 6 images of 64², and what PyTorch computes from them: train-mode logits, the
// label-smoothed loss, every gradient, the BatchNorm running statistics and num_batches_tracked
// after the step, the weights and slots after one SGD-Nesterov and one AdamW step, and the same
// batch as 2 accumulated micro-batches. The trainer's own pieces (microBatchGradients,
// GradientAccumulator, paramGroups, createOptimizer) reproduce each, on cpu and on wasm with our
// kernels on 2 threads, within 1e-5 of the tensor's largest magnitude.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@resnext/backends';
import { BatchNormTrainKernelName, GroupConv2DKernelName } from '@resnext/layers';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { loadStateDict, readSafetensors, toStateDict, type TensorMap, type TensorRecord } from '@resnext/pretrained';
import { relativeError } from '@resnext/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import type { OptimizerSpec } from '../config/recipe_config.js';
import type { Batch } from '../data/loader.js';
import { createOptimizer } from '../optim/create_optimizer.js';
import { namedWeights, paramGroups, type Param } from '../optim/params.js';
import { GradientAccumulator, microBatchGradients } from './train_step.js';

const golden = readSafetensors(readFileSync(new URL('../../../../fixtures/torchvision/train_step_golden.safetensors', import.meta.url)));
const meta = <T>(key: string) => JSON.parse(golden.metadata[key]!) as T;
const cfg = meta<{ layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number; num_classes: number }>('config');
const ARCH: ResNeXtConfig = {
  name: 'golden_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};
const LABEL_SMOOTHING = meta<number>('labelSmoothing');
const sgd = meta<{ lr: number; momentum: number; nesterov: boolean; weight_decay: number }>('sgd');
const adamw = meta<{ lr: number; betas: [number, number]; eps: number; weight_decay: number }>('adamw');
const SGD: OptimizerSpec = { kind: 'sgd', lr: sgd.lr, momentum: sgd.momentum, nesterov: sgd.nesterov, weightDecay: sgd.weight_decay, noDecayOnBnAndBias: true };
const ADAMW: OptimizerSpec = { kind: 'adamw', lr: adamw.lr, betas: adamw.betas, eps: adamw.eps, weightDecay: adamw.weight_decay, noDecayOnBnAndBias: true };
const MICRO_BATCHES = meta<number>('microBatches');
const TOLERANCE = 1e-5;

/** The fixture's tensors under `prefix/`, keyed without it. */
function section(prefix: string): TensorMap {
  const out: TensorMap = new Map();
  for (const [key, t] of golden.tensors) if (key.startsWith(`${prefix}/`)) out.set(key.slice(prefix.length + 1), t);
  return out;
}
const tensor = (key: string) => golden.tensors.get(key)!;
const INIT = section('init');
const PARAM_KEYS = [...section('grad').keys()];
const STAT_KEYS = [...section('stats').keys()];

/** The batch in NHWC with one-hot targets (the loader's form), from `first` for `n` examples. */
function batchOf(first: number, n: number): Batch {
  const input = tensor('input');
  const [, c, h, w] = input.shape as [number, number, number, number];
  const x = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) x[(b * h * w + i) * c + ch] = input.values[((first + b) * c + ch) * h * w + i]!;
  const labels = Int32Array.from(tensor('labels').values.slice(first, first + n));
  const targets = new Float32Array(n * cfg.num_classes);
  labels.forEach((label, i) => (targets[i * cfg.num_classes + label] = 1));
  return { x, shape: [n, h, w, c], labels, targets, step: 0 };
}
const BATCH = tensor('input').shape[0]!;
const halves = Array.from({ length: MICRO_BATCHES }, (_, k) => batchOf((k * BATCH) / MICRO_BATCHES, BATCH / MICRO_BATCHES));

/** The network with the fixture's initial state dict (weights, BN statistics, num_batches_tracked). */
function initialModel(): tfl.LayersModel {
  const model = createModel(ARCH, { numClasses: cfg.num_classes, inputShape: [64, 64, 3] });
  loadStateDict(model, INIT);
  return model;
}

/** Trainable weights in the trainer's optimizer groups: weight decay off BN weights and biases. */
const paramsOf = (model: tfl.LayersModel): Param[] => paramGroups(namedWeights(model), { noDecayOnBnAndBias: true });

/**
 * Our per-weight tensors (keyed `layer/weight`, tfjs layout) in PyTorch's naming and layout: they are
 * written into a scratch model, whose state dict toStateDict gives.
 */
function inTorchLayout(tensors: ReadonlyMap<string, tf.Tensor>): TensorMap {
  const scratch = initialModel();
  const variables = new Map(namedWeights(scratch).map((w) => [w.name, w.variable]));
  for (const [name, t] of tensors) variables.get(name)!.assign(t);
  const out = toStateDict(scratch);
  scratch.dispose();
  return out;
}

/**
 * The fixture's `prefix/<param>` tensors (PyTorch naming and layout) keyed `layer/weight` in tfjs
 * layout: loaded over the initial state dict into a scratch model by loadStateDict.
 */
function inTfjsLayout(prefix: string): Map<string, tf.Tensor> {
  const scratch = createModel(ARCH, { numClasses: cfg.num_classes, inputShape: [64, 64, 3] });
  loadStateDict(scratch, new Map([...INIT, ...section(prefix)]));
  const params = new Set(paramsOf(scratch).map((p) => p.name));
  const out = new Map(namedWeights(scratch).filter((w) => params.has(w.name)).map((w) => [w.name, tf.clone(w.variable)]));
  scratch.dispose();
  return out;
}

/** The largest error per quantity and backend, printed at the end. */
const worst = new Map<string, number>();

/**
 * Compares every `keys` entry of ours with the fixture's `prefix/key` (`key` for prefix ''), then
 * asserts on the largest error, naming its key, and records it as `what`.
 */
function expectClose(backend: string, what: string, ours: TensorMap, prefix: string, keys: readonly string[]): void {
  let max = 0;
  let worstKey = '';
  for (const key of keys) {
    const reference: TensorRecord = tensor(prefix === '' ? key : `${prefix}/${key}`);
    const mine = ours.get(key);
    expect(mine, `${what}: ${key} present`).toBeDefined();
    expect(mine!.shape, `${what}: ${key} shape`).toEqual(reference.shape);
    const error = relativeError(mine!.values, reference.values);
    if (error >= max) [max, worstKey] = [error, key];
  }
  worst.set(`${backend} ${what}`, max);
  expect(max, `${backend} ${what}: ${worstKey}`).toBeLessThanOrEqual(TOLERANCE);
}

function expectScalarClose(backend: string, what: string, ours: number, key: string): void {
  const error = relativeError([ours], tensor(key).values);
  worst.set(`${backend} ${what}`, error);
  expect(error, `${backend} ${what}`).toBeLessThanOrEqual(TOLERANCE);
}

/** The gradients of the mean loss over `batches` accumulated as the trainer does, with the loss. */
async function accumulatedGradients(model: tfl.LayersModel, batches: readonly Batch[]): Promise<{ grads: Map<string, tf.Tensor>; loss: number }> {
  const accumulator = new GradientAccumulator();
  let lossSum = 0;
  for (const batch of batches) {
    const r = await microBatchGradients(model, paramsOf(model), batch, cfg.num_classes, LABEL_SMOOTHING);
    accumulator.add(r.grads, batch.shape[0]);
    lossSum += r.lossSum;
  }
  const examples = accumulator.examples;
  return { grads: accumulator.take(), loss: lossSum / examples };
}

/** Train-mode logits of `batches`, one forward each, from the initial state. */
function trainModeLogits(batches: readonly Batch[]): Float32Array {
  const model = initialModel();
  const logits = tf.tidy(() => tf.concat(batches.map((b) => model.apply(tf.tensor4d(b.x, b.shape), { training: true }) as tf.Tensor2D)).dataSync() as Float32Array);
  model.dispose();
  return logits;
}

afterAll(() => {
  console.log(['max relative error per quantity (max |ours − PyTorch| / max |PyTorch|):', ...[...worst].map(([k, v]) => `  ${k}: ${v.toExponential(1)}`)].join('\n'));
});

describe.each([
  ['cpu', () => useBackend('cpu')],
  ['wasm', () => useBackend('wasm', { threads: 2 })],
] as const)('one training step on %s equals PyTorch 1.13', (backend, select) => {
  it('runs on the backend, on wasm with our kernels on 2 threads', async () => {
    const info = await select();
    expect(tf.getBackend()).toBe(backend);
    if (backend === 'wasm') {
      expect(info.threads).toBe(2);
      const model = initialModel();
      const x = tf.tensor4d(halves[0]!.x, halves[0]!.shape);
      const profile = await tf.profile(() => model.apply(x, { training: true }) as tf.Tensor);
      expect(profile.kernels.map((k) => k.name)).toEqual(expect.arrayContaining([BatchNormTrainKernelName, GroupConv2DKernelName]));
      tf.dispose([x, profile.result]);
      model.dispose();
    }
  });

  it('train-mode logits, of the batch and of its micro-batches', () => {
    const shape = [BATCH, cfg.num_classes];
    const logits: TensorMap = new Map([
      ['logits', { dtype: 'float32', shape, values: trainModeLogits([batchOf(0, BATCH)]) }],
      ['accum.logits', { dtype: 'float32', shape, values: trainModeLogits(halves) }],
    ]);
    expectClose(backend, 'logits', logits, '', ['logits']);
    expectClose(backend, 'micro-batch logits', logits, '', ['accum.logits']);
  });

  it('loss, every gradient, BN running statistics and num_batches_tracked', async () => {
    const model = initialModel();
    const before = tf.memory().numTensors;
    const { grads, loss } = await accumulatedGradients(model, [batchOf(0, BATCH)]);
    expectScalarClose(backend, 'loss', loss, 'loss');
    expect(grads.size).toBe(PARAM_KEYS.length);
    expectClose(backend, 'gradients', inTorchLayout(grads), 'grad', PARAM_KEYS);
    const state = toStateDict(model);
    expectClose(backend, 'running_mean', state, 'stats', STAT_KEYS.filter((k) => k.endsWith('running_mean')));
    expectClose(backend, 'running_var', state, 'stats', STAT_KEYS.filter((k) => k.endsWith('running_var')));
    expectClose(backend, 'num_batches_tracked', state, 'stats', STAT_KEYS.filter((k) => k.endsWith('num_batches_tracked')));

    tf.dispose([...grads.values()]);
    expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
    model.dispose();
  });

  // Given PyTorch's gradients: AdamW's first step divides each gradient by its own magnitude, so
  // for gradients near ε an error of the gradient (checked above) is magnified in the weights.
  it('SGD-Nesterov and AdamW steps from the same gradients: weights and slots', () => {
    const grads = inTfjsLayout('grad');
    for (const [spec, prefix, slots] of [
      [SGD, 'sgd', { momentum: 'momentum_buffer' }],
      [ADAMW, 'adamw', { m: 'exp_avg', v: 'exp_avg_sq' }],
    ] as const) {
      const stepped = initialModel();
      const optimizer = createOptimizer(spec);
      optimizer.step(paramsOf(stepped), grads, spec.lr);
      expectClose(backend, `${prefix} weights`, toStateDict(stepped), prefix, PARAM_KEYS);
      const { slots: saved } = optimizer.getState();
      for (const [slot, torchSlot] of Object.entries(slots)) {
        const bySlot = new Map([...saved].filter(([key]) => key.endsWith(`#${slot}`)).map(([key, t]) => [key.slice(0, key.lastIndexOf('#')), t]));
        expectClose(backend, `${prefix} ${torchSlot}`, inTorchLayout(bySlot), `${prefix}.${torchSlot}`, PARAM_KEYS);
      }
      tf.dispose([...saved.values()]);
      optimizer.dispose();
      stepped.dispose();
    }
    tf.dispose([...grads.values()]);
  });

  it(`gradient accumulation over ${MICRO_BATCHES} micro-batches: loss, gradients, BN statistics after both`, async () => {
    const model = initialModel();
    const { grads, loss } = await accumulatedGradients(model, halves);
    expectScalarClose(backend, 'accumulated loss', loss, 'accum.loss');
    expectClose(backend, 'accumulated gradients', inTorchLayout(grads), 'accum.grad', PARAM_KEYS);
    expectClose(backend, 'accumulated BN statistics', toStateDict(model), 'accum.stats', STAT_KEYS);
    tf.dispose([...grads.values()]);
    model.dispose();
  });
});
