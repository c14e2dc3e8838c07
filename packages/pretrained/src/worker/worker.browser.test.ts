/// <reference types="vite/client" />
// loadInWorker in Chromium: the shipped Fashion-MNIST model run in a Web Worker gives what load()
// gives on the page (same backend), for every kind of input; no tfjs work happens on the page;
// the worker's tensors do not grow across calls; dispose terminates the worker.
import '@resnext/backends/wasm';
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { useBackend } from '@resnext/backends';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Prediction, ResNeXtClassifier } from '../classifier/classifier.js';
import { load } from '../classifier/load.js';
import { fashionMnistTestImages, grayCanvas, grayImageData, grayPng } from '../testing/fashion_mnist_browser.js';
import { loadInWorker } from './load_in_worker.js';
import type { WorkerClassifier } from './worker_classifier.js';
import { WorkerError } from './worker_error.js';

// tfjs looks for its .wasm binaries next to the bundled script, where Vite has none.
const absolute = (path: string) => new URL(path, location.href).href;
const wasmPaths = {
  'tfjs-backend-wasm.wasm': absolute(wasmPlain),
  'tfjs-backend-wasm-simd.wasm': absolute(wasmSimd),
  'tfjs-backend-wasm-threaded-simd.wasm': absolute(wasmThreadedSimd),
};
const COUNT = 8;

let page: ResNeXtClassifier;
let worker: WorkerClassifier;
let images: Uint8Array[];
let labels: number[];

beforeAll(async () => {
  ({ images, labels } = await fashionMnistTestImages(COUNT));
  await useBackend('wasm', { wasmPaths, threads: 1 });
  page = await load('resnext_fmnist');
  worker = await loadInWorker({ model: 'resnext_fmnist', backend: 'wasm', threads: 1, wasmPaths });
});

afterAll(async () => {
  page?.dispose();
  await worker?.dispose();
});

function expectSamePredictions(got: Prediction[], expected: Prediction[]): void {
  expect(got.map((p) => p.index)).toEqual(expected.map((p) => p.index));
  expect(got.map((p) => p.label)).toEqual(expected.map((p) => p.label));
  for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]!.probability - expected[i]!.probability)).toBeLessThan(1e-5);
}

describe('loadInWorker: resnext_fmnist on wasm', () => {
  it('reports the weights, labels and the backend the worker selected', () => {
    expect(worker.meta.id).toBe('resnext_fmnist.full_fmnist');
    expect(worker.labels).toEqual(page.labels);
    expect(worker.backend).toMatchObject({ name: 'wasm', threads: 1, reason: 'requested wasm', skipped: [] });
  });

  it('classifies ImageData, canvases, PNG blobs, PNG bytes and ImageBitmaps as load() does on the page', async () => {
    let correct = 0;
    for (let i = 0; i < COUNT; i++) {
      const expected = await page.classify(grayImageData(images[i]!), 5);
      if (expected[0]!.index === labels[i]) correct++;
      const png = await grayPng(images[i]!);
      const inputs = [
        grayImageData(images[i]!),
        grayCanvas(images[i]!),
        png,
        new Uint8Array(await png.arrayBuffer()),
        await png.arrayBuffer(),
        await createImageBitmap(grayImageData(images[i]!)),
      ];
      for (const input of inputs) expectSamePredictions(await worker.classify(input, 5), expected);
    }
    // The page-side reference is itself right on these images (the model is 92% accurate).
    expect(correct).toBeGreaterThanOrEqual(COUNT - 1);
  });

  it('an HTMLImageElement is read on the page into an ImageBitmap and classified as load() classifies it', async () => {
    for (const gray of images.slice(0, 3)) {
      const img = new Image();
      img.src = URL.createObjectURL(await grayPng(gray));
      await img.decode();
      expectSamePredictions(await worker.classify(img, 5), await page.classify(img, 5));
      URL.revokeObjectURL(img.src);
    }
  });

  it('calls in flight at once are each answered with their own result', async () => {
    const expected = await Promise.all(images.map((image) => page.classify(grayImageData(image), 3)));
    const got = await Promise.all(images.map((image) => worker.classify(grayImageData(image), 3)));
    got.forEach((predictions, i) => expectSamePredictions(predictions, expected[i]!));
  });

  it('infer on a Float32Array and on a Tensor4D equals infer on the page', async () => {
    const batch = tf.concat(await Promise.all(images.map((image) => page.preprocess(grayImageData(image)))));
    const expected = page.infer(batch);
    const reference = (await expected.data()) as Float32Array;
    const values = (await batch.data()) as Float32Array;
    const fromArray = await worker.infer(values, [COUNT, 28, 28, 1]);
    const fromTensor = await worker.infer(batch);
    for (const got of [fromArray, fromTensor]) {
      expect(got.shape).toEqual([COUNT, 10]);
      expect(got.logits.length).toBe(reference.length);
      for (let i = 0; i < reference.length; i++) expect(Math.abs(got.logits[i]! - reference[i]!)).toBeLessThan(1e-4);
    }
    // The caller's array is copied, not transferred.
    expect(values.length).toBe(COUNT * 28 * 28);
    tf.dispose([batch, expected]);
  });

  it('bytes and bitmaps are transferred, not copied: the caller\'s buffer is detached and the bitmap closed', async () => {
    const bytes = new Uint8Array(await (await grayPng(images[0]!)).arrayBuffer());
    const bitmap = await createImageBitmap(grayImageData(images[0]!));
    await worker.classify(bytes, 1);
    await worker.classify(bitmap, 1);
    expect(bytes.byteLength).toBe(0);
    expect(bitmap.width).toBe(0);
    // A view of part of a buffer is copied, so the rest of the caller's buffer survives.
    const png = new Uint8Array(await (await grayPng(images[1]!)).arrayBuffer());
    const padded = new Uint8Array(png.length + 8);
    padded.set(png, 4);
    await worker.classify(padded.subarray(4, 4 + png.length), 1);
    expect(padded.byteLength).toBe(png.length + 8);
  });

  it('runs no tfjs op on the page: classify and infer leave the page engine untouched', async () => {
    const input = grayImageData(images[2]!);
    // The check can fail: classifying on the page registers kernels and tensors.
    const control = await tf.profile(() => page.classify(input, 5).then(() => undefined));
    expect(control.kernels.length).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    const profile = await tf.profile(async () => {
      await worker.classify(input, 5);
      await worker.infer(new Float32Array(28 * 28), [1, 28, 28, 1]);
    });
    expect(profile.kernels).toEqual([]);
    expect(profile.newTensors).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the page keeps running its event loop while the worker computes a large batch', async () => {
    const batchSize = 512;
    const batch = new Float32Array(batchSize * 28 * 28).map((_, i) => Math.sin(i));
    let ticks = 0;
    let done = false;
    const tick = (): void => {
      if (done) return;
      ticks++;
      setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const result = await worker.infer(batch, [batchSize, 28, 28, 1]);
    done = true;
    expect(result.shape).toEqual([batchSize, 10]);
    // Had the work blocked the page, no timer could have fired before the answer arrived.
    expect(ticks).toBeGreaterThan(5);
  });

  it('keeps the worker\'s tensor count stable across calls', async () => {
    const input = grayImageData(images[3]!);
    await worker.classify(input, 5);
    await worker.infer(new Float32Array(2 * 28 * 28), [2, 28, 28, 1]);
    const before = await worker.memory();
    expect(before.numTensors).toBeGreaterThan(0); // the model's weights
    for (let i = 0; i < 20; i++) {
      await worker.classify(input, 5);
      await worker.infer(new Float32Array(2 * 28 * 28), [2, 28, 28, 1]);
    }
    // Failed calls must not leak either.
    await expect(worker.classify(new Uint8Array([1, 2, 3]), 5)).rejects.toThrow();
    await expect(worker.infer(new Float32Array(5), [1, 28, 28, 1])).rejects.toThrow(RangeError);
    expect((await worker.memory()).numTensors).toBe(before.numTensors);
  });
});

describe('threads', () => {
  it('passes threads to useBackend inside the worker and reports what runs; results stay those of the page', async () => {
    expect(crossOriginIsolated).toBe(true);
    const threaded = await loadInWorker({ model: 'resnext_fmnist', backend: 'wasm', threads: 2, wasmPaths });
    try {
      expect(threaded.backend).toMatchObject({ name: 'wasm', threads: 2, crossOriginIsolated: true });
      for (const image of images.slice(0, 4)) {
        expectSamePredictions(await threaded.classify(grayImageData(image), 5), await page.classify(grayImageData(image), 5));
      }
    } finally {
      await threaded.dispose();
    }
  });
});

describe('a worker script of the app\'s own (serveClassifier)', () => {
  it('serves a worker started earlier, with only the backends it bundles', async () => {
    const own = new Worker(new URL('../testing/cpu_only_worker.ts', import.meta.url), { type: 'module' });
    // Let the worker finish starting before the page talks to it: the hello handshake must still find it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const classifier = await loadInWorker({ model: 'resnext_fmnist', backend: 'auto', worker: own, warmup: false });
    try {
      // 'auto' passed over what this worker did not bundle and says so.
      expect(classifier.backend.name).toBe('cpu');
      expect(classifier.backend.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl', 'wasm']);
      expect(classifier.backend.skipped[0]!.message).toMatch(/@tensorflow\/tfjs-backend-webgpu/);
      const expected = await page.classify(grayImageData(images[4]!), 5);
      expectSamePredictions(await classifier.classify(grayImageData(images[4]!), 5), expected);
    } finally {
      await classifier.dispose();
    }
  });
});

describe('dispose', () => {
  it('frees the model in the worker, terminates it, and later calls reject clearly', async () => {
    const classifier = await loadInWorker({ model: 'resnext_fmnist.quick_fmnist', backend: 'cpu', warmup: false });
    expect(classifier.backend.name).toBe('cpu');
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    // A call made before dispose is still answered.
    const pending = classifier.classify(grayImageData(images[0]!), 1);
    const disposed = classifier.dispose();
    expect((await pending).length).toBe(1);
    await disposed;
    expect(terminate).toHaveBeenCalledTimes(1);
    terminate.mockRestore();
    expect(classifier.dispose()).toBe(disposed);
    for (const call of [() => classifier.classify(grayImageData(images[0]!)), () => classifier.infer(new Float32Array(784), [1, 28, 28, 1]), () => classifier.memory()]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerError);
      expect(error).toMatchObject({ name: 'WorkerError', reason: 'disposed' });
      expect((error as Error).message).toMatch(/disposed/);
    }
  });
});
