// The whole page ↔ worker path in Node: loadInWorker and WorkerClassifier talk through a
// loopback worker (structured clone with transfer lists, asynchronous delivery) to the real server,
// which loads the shipped Fashion-MNIST weights on the cpu backend. References: load() called
// directly in the same process, and the request log.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@resnext/backends';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResNeXtClassifier } from '../classifier/classifier.js';
import { load } from '../classifier/load.js';
import { ImageDecodeError } from '../preprocess/image_decode_error.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { LoopbackWorker } from '../testing/loopback_worker.js';
import { loadInWorker } from './load_in_worker.js';
import type { WorkerClassifier } from './worker_classifier.js';
import { WorkerError } from './worker_error.js';

const CHELSEA = new URL('../../../../fixtures/images/chelsea.png', import.meta.url);
const server = await startLoopbackServer();
// Downloads inside the (loopback) worker go to the Node disk cache: keep it out of the home directory.
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'worker-server-'));
const previousCacheDir = process.env['RESNEXT_CACHE_DIR'];
process.env['RESNEXT_CACHE_DIR'] = cacheDir;
afterAll(() => {
  if (previousCacheDir === undefined) delete process.env['RESNEXT_CACHE_DIR'];
  else process.env['RESNEXT_CACHE_DIR'] = previousCacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

let direct: ResNeXtClassifier;
let png: Uint8Array;
beforeAll(async () => {
  await useBackend('cpu');
  direct = await load({ model: 'resnext_fmnist', warmup: false });
  png = new Uint8Array(await readFile(CHELSEA));
});
afterAll(() => direct?.dispose());

const open = (loopback: LoopbackWorker, extra: Parameters<typeof loadInWorker>[0] & object = {}) =>
  loadInWorker({ model: 'resnext_fmnist', backend: 'cpu', warmup: false, worker: loopback as unknown as Worker, ...extra });

describe('loadInWorker through a loopback worker (Node)', () => {
  let loopback: LoopbackWorker;
  let classifier: WorkerClassifier;
  beforeAll(async () => {
    loopback = new LoopbackWorker();
    classifier = await open(loopback, { labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] });
  });
  afterAll(() => classifier?.dispose());

  it('sends the serializable options and reports what the worker chose', () => {
    const load = loopback.sent.find((m) => (m as { type: string }).type === 'load') as { options: Record<string, unknown> };
    expect(load.options).toEqual({ model: 'resnext_fmnist', backend: 'cpu', warmup: false, progress: false, labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] });
    expect(classifier.meta.id).toBe('resnext_fmnist.full_fmnist');
    expect(classifier.labels[3]).toBe('d');
    expect(classifier.backend).toEqual({ name: 'cpu', reason: 'requested cpu', skipped: [], warnings: [] });
  });

  it('classify of PNG bytes equals load().classify; the bytes are transferred', async () => {
    const expected = await direct.classify(png.slice(), 5);
    const bytes = png.slice();
    const got = await classifier.classify(bytes, 5);
    expect(got.map((p) => p.index)).toEqual(expected.map((p) => p.index));
    got.forEach((p, i) => expect(p.probability).toBeCloseTo(expected[i]!.probability, 6));
    expect(got.map((p) => p.label)).toEqual(expected.map((p) => 'abcdefghij'[p.index]));
    expect(bytes.byteLength).toBe(0);
  });

  it('infer equals load().infer, for arrays and tensors; overlapping calls are matched by id', async () => {
    const x = tf.randomUniform<tf.Rank.R4>([3, 28, 28, 1], -1, 1, 'float32', 7);
    const y = direct.infer(x);
    const expected = await y.data();
    const values = (await x.data()) as Float32Array;
    const [a, b, c] = await Promise.all([
      classifier.infer(values, [3, 28, 28, 1]),
      classifier.classify(png.slice(), 2),
      classifier.infer(x),
    ]);
    for (const got of [a, c]) {
      expect(got.shape).toEqual([3, 10]);
      got.logits.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    }
    expect(b).toHaveLength(2);
    tf.dispose([x, y]);
  });

  it('errors of the work come back typed, and the worker keeps serving', async () => {
    const expected = await direct.classify(new Uint8Array([1, 2, 3]), 1).catch((e: unknown) => e);
    const got = await classifier.classify(new Uint8Array([1, 2, 3]), 1).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(ImageDecodeError);
    expect((got as Error).message).toBe((expected as Error).message);
    await expect(classifier.infer(new Float32Array(10), [1, 28, 28, 1])).rejects.toThrow(/holds 784 values but the batch has 10/);
    await expect(classifier.infer(new Float32Array(10))).rejects.toThrow(TypeError);
    expect(await classifier.classify(png.slice(), 1)).toHaveLength(1);
  });

  it('tf.memory() in the worker is stable across calls, failed ones included', async () => {
    await classifier.classify(png.slice(), 1);
    const before = await classifier.memory();
    for (let i = 0; i < 5; i++) {
      await classifier.classify(png.slice(), 3);
      await classifier.infer(new Float32Array(2 * 784), [2, 28, 28, 1]);
      await classifier.classify(new Uint8Array([9, 9, 9]), 1).catch(() => undefined);
    }
    expect((await classifier.memory()).numTensors).toBe(before.numTensors);
  });
});

describe('lifecycle (Node)', () => {
  it('dispose frees the model inside the worker, answers earlier calls, terminates, and refuses later calls', async () => {
    const loopback = new LoopbackWorker();
    const classifier = await open(loopback);
    const { numTensors: loaded } = await classifier.memory();
    const earlier = classifier.classify(png.slice(), 1);
    await classifier.dispose();
    expect(await earlier).toHaveLength(1);
    expect(loopback.terminated).toBe(true);
    // The server freed the weights before the worker was terminated.
    const types = loopback.sent.map((m) => (m as { type: string }).type);
    expect(types.slice(-1)).toEqual(['dispose']);
    expect(loaded).toBeGreaterThan(0);
    await expect(classifier.classify(png.slice())).rejects.toMatchObject({ name: 'WorkerError', reason: 'disposed' });
    await expect(classifier.memory()).rejects.toBeInstanceOf(WorkerError);
  });

  it('the server frees the model on dispose (seen from inside)', async () => {
    const loopback = new LoopbackWorker();
    const before = tf.memory().numTensors;
    const classifier = await open(loopback);
    // Same process here, so the worker's tensors show in this engine.
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    await classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failed load terminates the worker and rejects with the typed error', async () => {
    const loopback = new LoopbackWorker();
    const got = await open(loopback, { weights: new Uint8Array(32) }).catch((e: unknown) => e);
    expect(got).toMatchObject({ name: 'WeightsFormatError' });
    expect(loopback.terminated).toBe(true);
  });

  it('progress of a download inside the worker reaches onProgress', async () => {
    const bytes = new Uint8Array(await readFile(new URL('../../weights/resnext_fmnist.quick_fmnist.safetensors', import.meta.url)));
    server.serve('/quick.safetensors', bytes);
    const seen: number[] = [];
    const classifier = await open(new LoopbackWorker(), { weights: server.url('/quick.safetensors'), onProgress: (p) => seen.push(p.loaded) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(bytes.length);
    await classifier.dispose();
  });

  it('the download limits and checkValues reach the load inside the worker', async () => {
    const bytes = new Uint8Array(await readFile(new URL('../../weights/resnext_fmnist.quick_fmnist.safetensors', import.meta.url)));
    server.serve('/capped.safetensors', bytes);
    const loopback = new LoopbackWorker();
    const got = await open(loopback, { weights: server.url('/capped.safetensors'), maxBytes: 1000, deadlineMs: 60_000, checkValues: false }).catch((e: unknown) => e);
    const sent = loopback.sent.find((m) => (m as { type: string }).type === 'load') as { options: Record<string, unknown> };
    expect(sent.options).toMatchObject({ maxBytes: 1000, deadlineMs: 60_000, checkValues: false });
    // 660,680 bytes against a cap of 1,000: refused inside the worker, as load() refuses it.
    expect(got).toMatchObject({ name: 'DownloadError', reason: 'too-large' });
  });
});
