// load(model, options) and load(options): the options after a model id reach the download
// (progress, cache directory, offline, mirror), wrong arguments are TypeErrors, and a checkpoint
// given with `weights` is what `meta` describes (not the registry record's published figures).
import { useBackend } from '@resnext/backends';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadError, OfflineError } from '../download/errors.js';
import { getWeights } from '../registry/weights_registry.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { loadInWorker } from '../worker/load_in_worker.js';
import { load } from './load.js';
import { resolveLoadArguments } from './load_arguments.js';

const WEIGHTS = (file: string) => fileURLToPath(new URL(`../../weights/${file}`, import.meta.url));
const FULL = readFileSync(WEIGHTS('resnext_fmnist.full_fmnist.safetensors'));
const server = await startLoopbackServer();
server.serve('/full.safetensors', FULL);
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'load-arguments-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
beforeAll(async () => {
  await useBackend('cpu');
});

/** Logits of a classifier for a fixed 28×28×1 batch. */
async function logitsOf(classifier: { infer(x: tf.Tensor4D): tf.Tensor2D }): Promise<number[]> {
  const x = tf.randomNormal<tf.Rank.R4>([2, 28, 28, 1], 0, 1, 'float32', 7);
  const y = classifier.infer(x);
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}

describe('resolveLoadArguments', () => {
  it('merges a model id and its options, and takes an options object alone', () => {
    const onProgress = () => {};
    expect(resolveLoadArguments('load', 'a.b', { onProgress })).toEqual({ model: 'a.b', onProgress });
    expect(resolveLoadArguments('load', 'a.b', undefined)).toEqual({ model: 'a.b' });
    expect(resolveLoadArguments('load', { model: 'a.b', offline: true }, undefined)).toEqual({ model: 'a.b', offline: true });
    expect(resolveLoadArguments('load', undefined, undefined)).toEqual({});
  });

  it('names the argument of the wrong type', () => {
    expect(() => resolveLoadArguments('load', 'a', 5)).toThrow(new TypeError('load: the second argument (options) must be an options object, got number 5'));
    expect(() => resolveLoadArguments('load', 'a', () => {})).toThrow(/second argument \(options\) must be an options object, got a function/);
    expect(() => resolveLoadArguments('load', 'a', 'b')).toThrow(/second argument \(options\) must be an options object, got string "b"/);
    expect(() => resolveLoadArguments('load', 'a', null)).toThrow(/got null/);
    expect(() => resolveLoadArguments('load', 'a', ['x'])).toThrow(/got an array/);
    expect(() => resolveLoadArguments('load', 'a', new Uint8Array(4))).toThrow(/got an instance of Uint8Array/);
    expect(() => resolveLoadArguments('load', { model: 'a' }, {})).toThrow(/a second argument \(options\) is taken only after a model id, got an instance of Object after an options object/);
    expect(() => resolveLoadArguments('load', 42, undefined)).toThrow(/first argument must be a model id \(a string\) or an options object, got number 42/);
    expect(() => resolveLoadArguments('load', 'a', { model: 'b' })).toThrow(/model is given twice \("a" and options\.model\)/);
  });
});

describe('load(model, options)', () => {
  it('passes onProgress and cacheDir to the download, and meta describes the given weights', async () => {
    const url = server.url('/full.safetensors');
    const progress: number[] = [];
    const classifier = await load('resnext_fmnist.quick_fmnist', { weights: url, cacheDir, warmup: false, onProgress: (p) => progress.push(p.loaded) });
    try {
      expect(progress.at(-1)).toBe(FULL.byteLength);
      expect(existsSync(path.join(cacheDir, new URL(url).host.replace(':', '%3A'), 'full.safetensors'))).toBe(true);
      // The record gave architecture, preprocessing and labels; nothing it publishes about its own weights.
      const record = getWeights('resnext_fmnist.quick_fmnist');
      expect(classifier.meta).toEqual({
        id: 'resnext_fmnist.custom',
        arch: 'resnext_fmnist',
        tag: 'custom',
        sources: [{ url, format: 'safetensors' }],
        origin: `custom weights from ${url}, loaded with the architecture, preprocessing and labels of resnext_fmnist.quick_fmnist`,
        preprocessing: record.preprocessing,
        classes: record.classes,
        customWeights: { source: url, format: 'safetensors', record: 'resnext_fmnist.quick_fmnist' },
      });
      expect(classifier.meta.metrics).toBeUndefined();
      expect(classifier.meta.license).toBeUndefined();
      // And the weights used are the given ones: the full_fmnist classifier's logits, not quick_fmnist's.
      const full = await load('resnext_fmnist.full_fmnist', { warmup: false });
      const quick = await load('resnext_fmnist.quick_fmnist', { warmup: false });
      const [ours, fullLogits, quickLogits] = [await logitsOf(classifier), await logitsOf(full), await logitsOf(quick)];
      expect(ours).toEqual(fullLogits);
      expect(ours).not.toEqual(quickLogits);
      expect(full.meta).toBe(getWeights('resnext_fmnist.full_fmnist'));
      full.dispose();
      quick.dispose();
    } finally {
      classifier.dispose();
    }
  });

  it('passes offline: an uncached URL is an OfflineError and nothing is requested', async () => {
    server.serve('/never.safetensors', FULL);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'load-arguments-offline-'));
    try {
      await expect(load('resnext_fmnist', { weights: server.url('/never.safetensors'), cacheDir: empty, offline: true })).rejects.toThrow(OfflineError);
      expect(server.count('/never.safetensors')).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('passes mirror: the registry sources are fetched from the mirror, not their hosts', async () => {
    const mirror = server.url('/mirror');
    const error = await load('resnext50_32x4d.tv_in1k', { mirror, cacheDir, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    const requested = server.requests('/mirror/download.pytorch.org/models/resnext50_32x4d-7cdf4587.pth');
    expect(requested).toHaveLength(1);
  });

  it('meta of bytes given as weights names no file; a record of your own is reported as given', async () => {
    const fromBytes = await load('resnext_fmnist.quick_fmnist', { weights: new Uint8Array(FULL), warmup: false });
    expect(fromBytes.meta.customWeights).toEqual({ source: 'bytes', format: 'safetensors', record: 'resnext_fmnist.quick_fmnist' });
    expect(fromBytes.meta.sources).toEqual([]);
    fromBytes.dispose();

    const own = { ...getWeights('resnext_fmnist'), id: 'mine.v1', arch: 'resnext_fmnist', tag: 'v1', origin: 'my fine-tune', metrics: { top1: 93 } };
    const mine = await load({ record: own, weights: WEIGHTS('resnext_fmnist.full_fmnist.safetensors'), warmup: false });
    expect(mine.meta).toMatchObject({ id: 'mine.v1', origin: 'my fine-tune', metrics: { top1: 93 }, license: own.license });
    expect(mine.meta.sources).toEqual([{ url: WEIGHTS('resnext_fmnist.full_fmnist.safetensors'), format: 'safetensors' }]);
    mine.dispose();
  });

  it("the record's own file served from elsewhere (sha256 matches) keeps the record as meta; one changed byte does not", async () => {
    const record = getWeights('resnext_fmnist.full_fmnist');
    const fromUrl = await load('resnext_fmnist.full_fmnist', { weights: server.url('/full.safetensors'), cacheDir, warmup: false });
    const fromBytes = await load('resnext_fmnist', { weights: new Uint8Array(FULL), warmup: false });
    expect(fromUrl.meta).toBe(record);
    expect(fromBytes.meta).toBe(record);
    fromUrl.dispose();
    fromBytes.dispose();
    // Change one byte of the last tensor's data (the file stays a valid checkpoint of the same keys).
    const altered = new Uint8Array(FULL);
    const at = altered.length - 2;
    altered[at] = altered[at]! ^ 0x01;
    const changed = await load('resnext_fmnist.full_fmnist', { weights: altered, warmup: false });
    expect(changed.meta).toMatchObject({ id: 'resnext_fmnist.custom', tag: 'custom' });
    expect(changed.meta.metrics).toBeUndefined();
    changed.dispose();
  });

  it('rejects a second argument of the wrong type with a TypeError (load and loadInWorker)', async () => {
    const wrong: unknown[] = [5, 'options', () => {}, null];
    for (const second of wrong) {
      // @ts-expect-error -- what plain JavaScript callers can pass
      await expect(load('resnext_fmnist', second)).rejects.toThrow(TypeError);
      // @ts-expect-error -- idem
      await expect(loadInWorker('resnext_fmnist', second)).rejects.toThrow(/^loadInWorker: the second argument \(options\)/);
    }
    // @ts-expect-error -- options first take no second argument
    await expect(load({ model: 'resnext_fmnist' }, { warmup: false })).rejects.toThrow(/load: a second argument \(options\) is taken only after a model id/);
    // @ts-expect-error -- the model once only
    await expect(load('resnext_fmnist', { model: 'resnext50_32x4d' })).rejects.toThrow(/model is given twice/);
  });
});
