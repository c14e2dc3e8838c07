// The Node wasm backend on 1, 2 and 3 threads: same results as the cpu backend on conv2d, matMul
// and a small residual conv net; XNNPACK really runs a multi-thread pool on worker_threads; the
// pthread workers neither keep the process alive nor survive tf.removeBackend; the host's process
// listeners are left alone.
import * as tf from '@tensorflow/tfjs-core';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../use_backend.js';
import type { TfjsWasmModule } from './emscripten_module.js';

/** Deterministic values in [-scale, scale]. */
function values(size: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => scale * Math.sin(i * 0.7311 + seed * 1.37));
}

function he(shape: number[], seed: number): tf.Tensor {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return tf.tensor(values(tf.util.sizeFromShape(shape), seed, Math.sqrt(6 / fanIn)), shape);
}

/** A ResNet-like forward: stem, strided fused conv, a bottleneck with a residual add, pool, head. */
function smallNet(x: tf.Tensor4D): tf.Tensor {
  const conv = (input: tf.Tensor4D, k: number, cout: number, stride: number, seed: number, relu = true) =>
    tf.fused.conv2d({
      x: input,
      filter: he([k, k, input.shape[3], cout], seed) as tf.Tensor4D,
      strides: stride,
      pad: 'same',
      bias: tf.tensor1d(values(cout, seed + 100, 0.1)),
      activation: relu ? 'relu' : 'linear',
    });
  const stem = conv(x, 3, 16, 1, 1);
  const down = conv(stem, 3, 32, 2, 2);
  const inner = conv(conv(down, 1, 16, 1, 3), 3, 16, 1, 4);
  const block = tf.relu(tf.add(conv(inner, 1, 32, 1, 5, false), down)) as tf.Tensor4D;
  const pooled = tf.maxPool(block, 3, 2, 'same');
  const depthwise = tf.depthwiseConv2d(pooled, he([3, 3, 32, 1], 6) as tf.Tensor4D, 1, 'same');
  const features = tf.mean<tf.Tensor2D>(depthwise, [1, 2]);
  return tf.softmax(tf.add(tf.matMul(features, he([32, 10], 7) as tf.Tensor2D), tf.tensor1d(values(10, 8, 0.1))));
}

const CASES: Record<string, () => tf.Tensor> = {
  'conv2d 3x3 stride [2,1]': () =>
    tf.conv2d(tf.tensor4d(values(2 * 17 * 19 * 8, 1), [2, 17, 19, 8]), he([3, 3, 8, 24], 2) as tf.Tensor4D, [2, 1], 'same'),
  'conv2d 1x1 valid': () =>
    tf.conv2d(tf.tensor4d(values(1 * 28 * 28 * 64, 3), [1, 28, 28, 64]), he([1, 1, 64, 48], 4) as tf.Tensor4D, 1, 'valid'),
  'batched matMul': () => tf.matMul(tf.tensor3d(values(3 * 65 * 40, 5), [3, 65, 40]), tf.tensor3d(values(3 * 40 * 33, 6), [3, 40, 33])),
  'small conv net forward': () => smallNet(tf.tensor4d(values(2 * 32 * 32 * 3, 9), [2, 32, 32, 3])),
};

async function runAll(): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, make] of Object.entries(CASES)) {
    const before = tf.memory().numTensors;
    const y = tf.tidy(make);
    out[name] = (await y.data()) as Float32Array;
    y.dispose();
    expect(tf.memory().numTensors, `${name} leaks tensors`).toBe(before);
  }
  return out;
}

function wasmModule(): TfjsWasmModule {
  return (tf.backend() as unknown as { wasm: TfjsWasmModule }).wasm;
}

// Handles that keep Node's event loop alive: a ref'd Worker shows up as a MessagePort.
function liveHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort' || kind === 'Worker').length;
}

let reference: Record<string, Float32Array>;

beforeAll(async () => {
  await useBackend('cpu');
  reference = await runAll();
});

afterAll(() => {
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
});

describe.each([1, 2, 3])('wasm in Node on %i thread(s)', (threads) => {
  it('runs XNNPACK on that many threads', async () => {
    const handles = liveHandles();
    const info = await useBackend('wasm', { threads });
    expect(info).toMatchObject({ name: 'wasm', simd: true, threads, requested: 'wasm' });
    // XNNPACK's pool reports its size; the calling thread is one of them, each other one is a
    // pthread running on a worker_threads Worker.
    expect(wasmModule().tfjs.getThreadsCount()).toBe(threads);
    expect(wasmModule().PThread?.runningWorkers.length ?? 0).toBe(threads - 1);
    // The single-threaded build has no shared memory; the threaded one imports a shared one.
    expect(wasmModule().wasmMemory?.buffer instanceof SharedArrayBuffer).toBe(threads > 1);
    expect(liveHandles()).toBe(handles);
  });

  it('matches the cpu backend', async () => {
    await useBackend('wasm', { threads });
    const got = await runAll();
    for (const [name, want] of Object.entries(reference)) {
      const values = got[name]!;
      expect(values.length, name).toBe(want.length);
      const scale = Math.max(...want.map(Math.abs));
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(values[i]! - want[i]!));
      expect(maxErr / scale, name).toBeLessThan(1e-5);
    }
  });
});

describe('wasm in Node: lifecycle', () => {
  it('reuses the backend for the same thread count and keeps its tensors', async () => {
    await useBackend('wasm', { threads: 2 });
    const kept = tf.tensor1d([1, 2, 3]);
    const module = wasmModule();
    await useBackend('wasm', { threads: 2 });
    expect(wasmModule()).toBe(module);
    expect(Array.from(await kept.data())).toEqual([1, 2, 3]);
    kept.dispose();
  });

  it('tf.removeBackend terminates every pthread worker', async () => {
    await useBackend('wasm', { threads: 2 });
    const pool = wasmModule().PThread!;
    const workers = [...pool.runningWorkers, ...pool.unusedWorkers] as unknown as Worker[];
    expect(workers.length).toBe(8); // Emscripten pre-starts 8, XNNPACK took 1
    const exited = Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
    tf.removeBackend('wasm');
    await exited;
    expect(pool.runningWorkers.length + pool.unusedWorkers.length).toBe(0);
  });

  it("leaves the host's process listeners in place across start and dispose", async () => {
    const mine = (): void => undefined;
    process.on('unhandledRejection', mine);
    const before = process.listeners('unhandledRejection');
    await useBackend('wasm', { threads: 2 });
    expect(process.listeners('unhandledRejection')).toEqual(before);
    tf.removeBackend('wasm');
    expect(process.listeners('unhandledRejection')).toEqual(before);
    process.off('unhandledRejection', mine);
  });
});
