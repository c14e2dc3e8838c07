// loadInWorker in Chromium: errors thrown inside the worker reach the page as the error load() and
// classify() throw on the page for the same input — same class, name, message and fields — and a
// worker that cannot start rejects with a WorkerError instead of hanging.
import '@resnext/backends/cpu';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, useBackend } from '@resnext/backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { ResNeXtClassifier } from '../classifier/classifier.js';
import { load } from '../classifier/load.js';
import { WeightsFormatError } from '../errors.js';
import { DownloadError, IntegrityError } from '../download/errors.js';
import { StateDictMismatchError } from '../mapping/load_state_dict.js';
import { ImageDecodeError } from '../preprocess/image_decode_error.js';
import { getWeights } from '../registry/weights_registry.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import { loadInWorker } from './load_in_worker.js';
import type { WorkerClassifier } from './worker_classifier.js';
import { WorkerError } from './worker_error.js';

async function fixture(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const base64 = await commands.readFile(`../../fixtures/${path}`, 'base64');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

/** The worker's error is the page's: same class, name, message and own fields. */
function expectSameError(got: unknown, expected: unknown, cls: abstract new (...args: never[]) => Error): void {
  expect(expected).toBeInstanceOf(cls);
  expect(got).toBeInstanceOf(cls);
  const g = got as Error;
  const e = expected as Error;
  expect(g.name).toBe(e.name);
  expect(g.message).toBe(e.message);
  expect({ ...g }).toEqual({ ...e });
}

// load() and loadInWorker() here use the cpu backend on both sides.
const PAGE = { backend: 'cpu' as const, warmup: false };

let page: ResNeXtClassifier;
let worker: WorkerClassifier;
beforeAll(async () => {
  await useBackend('cpu');
  page = await load({ model: 'resnext_fmnist', warmup: false });
  worker = await loadInWorker({ model: 'resnext_fmnist', ...PAGE });
});
afterAll(async () => {
  page?.dispose();
  await worker?.dispose();
});

describe('errors of the work cross as their own classes', () => {
  it('corrupt and unsupported image bytes: ImageDecodeError, as on the page', async () => {
    const png = await fixture('images/chelsea.png');
    const truncated = png.slice(0, 200);
    for (const bytes of [truncated, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])]) {
      const expected = await rejection(page.classify(bytes.slice(), 5));
      expectSameError(await rejection(worker.classify(bytes.slice(), 5)), expected, ImageDecodeError);
      // A Blob of the same bytes is read in the worker and fails the same way.
      expectSameError(await rejection(worker.classify(new Blob([bytes]), 5)), expected, ImageDecodeError);
    }
    // The worker keeps serving after a failed call.
    expect((await worker.classify(png, 3)).length).toBe(3);
  });

  it('inputs the worker cannot take are refused on the page with an ImageDecodeError', async () => {
    await expect(worker.classify({ width: 1 } as unknown as ImageData)).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(worker.classify(document.createElement('img'))).rejects.toThrow(/has no pixels yet/);
    await expect(worker.classify(new Uint8Array(3), 0)).rejects.toBeInstanceOf(RangeError);
  });

  it('weights that are not a checkpoint: WeightsFormatError', async () => {
    const garbage = new Uint8Array(64).fill(7);
    const expected = await rejection(load({ model: 'resnext_fmnist', weights: garbage.slice(), warmup: false }));
    const got = await rejection(loadInWorker({ model: 'resnext_fmnist', weights: garbage.slice(), ...PAGE }));
    expectSameError(got, expected, WeightsFormatError);
  });

  it('weights of another architecture: StateDictMismatchError with every key', async () => {
    const other = await fixture('torchvision/tiny_resnext.safetensors');
    const expected = await rejection(load({ model: 'resnext_fmnist', weights: other.slice(), warmup: false }));
    const got = await rejection(loadInWorker({ model: 'resnext_fmnist', weights: new Blob([other]), ...PAGE }));
    // The Blob path names its source like the bytes path does.
    expectSameError(got, expected, StateDictMismatchError);
    // tiny_resnext has resnext_fmnist's key names with other shapes (and keys of its own): PyTorch's
    // load_state_dict reports those as mis-shaped and unexpected, not missing.
    const { result } = got as StateDictMismatchError;
    expect(result.mismatchedKeys.length).toBeGreaterThan(0);
    expect(result.unexpectedKeys.length + result.missingKeys.length).toBeGreaterThan(0);
  });

  it('shipped weights that fail their sha256: IntegrityError with its fields', async () => {
    const good = getWeights('resnext_fmnist');
    const record: WeightsRecord = { ...good, sources: [{ ...good.sources[0]!, sha256: '0'.repeat(64) }] };
    const expected = await rejection(load({ record, warmup: false }));
    const got = await rejection(loadInWorker({ record, ...PAGE }));
    expectSameError(got, expected, IntegrityError);
    expect(got).toMatchObject({ check: 'sha256', origin: 'package', expected: '0'.repeat(64) });
  });

  it('a weights URL that answers 404: DownloadError, relative URLs resolved against the page', async () => {
    const url = new URL('/no-such-weights.safetensors', location.href).href;
    const options = { model: 'resnext_fmnist', offline: false, cache: { match: () => Promise.resolve(undefined), put: () => Promise.resolve() } };
    const expected = await rejection(load({ ...options, weights: url, warmup: false }));
    // The worker's download goes through the Cache API, which holds nothing for this URL either.
    const got = await rejection(loadInWorker({ model: 'resnext_fmnist', offline: false, weights: '/no-such-weights.safetensors', ...PAGE }));
    expectSameError(got, expected, DownloadError);
    expect(got).toMatchObject({ reason: 'http', status: 404, url });
  });

  it('a backend the worker cannot run: BackendUnavailableError, as useBackend throws it on the page', async () => {
    const expected = await rejection(useBackend('node'));
    const got = await rejection(loadInWorker({ model: 'resnext_fmnist', backend: 'node' }));
    expect(got).toBeInstanceOf(BackendUnavailableError);
    expect(got).toMatchObject({ name: 'BackendUnavailableError', backend: 'node', failure: (expected as BackendUnavailableError).failure });
    expect((got as Error).message).toMatch(/@tensorflow\/tfjs-node/);
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('a worker that cannot start rejects loadInWorker with a WorkerError', () => {
  const blobUrl = (source: string) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));

  it('a workerUrl that does not exist', async () => {
    const got = await rejection(loadInWorker({ model: 'resnext_fmnist', workerUrl: '/no-such-worker.js' }));
    expect(got).toBeInstanceOf(WorkerError);
    expect(got).toMatchObject({ reason: 'start-failed', workerUrl: new URL('/no-such-worker.js', location.href).href });
    expect((got as Error).message).toMatch(/no-such-worker\.js.*could not be loaded/);
  });

  it('a worker script that throws while loading', async () => {
    const got = await rejection(loadInWorker({ workerUrl: blobUrl('throw new Error("boom in the worker");') }));
    expect(got).toMatchObject({ name: 'WorkerError', reason: 'start-failed' });
    expect((got as Error).message).toMatch(/boom in the worker/);
  });

  it('a worker script that never announces itself (not the classifier worker)', async () => {
    const got = await rejection(loadInWorker({ workerUrl: blobUrl('self.onmessage = () => {};'), startTimeoutMs: 1500 }));
    expect(got).toMatchObject({ name: 'WorkerError', reason: 'start-failed' });
    expect((got as Error).message).toMatch(/did not start within 1500 ms/);
  });

  it('a worker of another protocol version', async () => {
    const got = await rejection(loadInWorker({ workerUrl: blobUrl('postMessage({ type: "ready", protocol: "resnext-pretrained-worker/0" });') }));
    expect(got).toMatchObject({ name: 'WorkerError', reason: 'start-failed' });
    expect((got as Error).message).toMatch(/protocol resnext-pretrained-worker\/0/);
  });

  it('a cancelled load rejects with the signal\'s reason', async () => {
    const controller = new AbortController();
    const loading = loadInWorker({ model: 'resnext_fmnist', ...PAGE, signal: controller.signal });
    controller.abort();
    const got = await rejection(loading);
    expect(got).toBeInstanceOf(DOMException);
    expect((got as DOMException).name).toBe('AbortError');
  });
});
