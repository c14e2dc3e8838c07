// useBackend in Node: named backends, typed errors for missing packages and missing runtime
// features (no silent fallback), and 'auto' choosing in the documented order.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './errors.js';
import { defaultImporter, type ModuleImporter } from './importer.js';
import { NODE_AUTO_ORDER, useBackend } from './use_backend.js';

/** The default importer, except that `missing` resolves to a package that does not exist. */
function without(missing: string): ModuleImporter {
  return (specifier) =>
    specifier === missing ? import(/* @vite-ignore */ '@resnext/no-such-package-' + 'for-tests') : defaultImporter(specifier);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

afterAll(() => {
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
});

describe('useBackend', () => {
  it('selects cpu and reports it', async () => {
    const info = await useBackend('cpu');
    expect(info).toEqual({ name: 'cpu', requested: 'cpu', reason: 'requested cpu', skipped: [], warnings: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names the package to install when a backend package is missing, and keeps the active backend', async () => {
    await useBackend('cpu');
    const error = await rejection(useBackend('wasm', { importer: without('@tensorflow/tfjs-backend-wasm') }));
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error).toMatchObject({
      backend: 'wasm',
      failure: 'not-installed',
      install: '@tensorflow/tfjs-backend-wasm',
      missing: undefined,
    });
    expect((error as Error).message).toContain('npm install @tensorflow/tfjs-backend-wasm');
    // The original Node error stays attached for debugging.
    expect(((error as Error).cause as { code?: string }).code).toBe('ERR_MODULE_NOT_FOUND');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('names tfjs-node, which is not installed here, and says its install downloads libtensorflow', async () => {
    const error = await rejection(useBackend('node'));
    expect(error).toMatchObject({ backend: 'node', failure: 'not-installed', install: '@tensorflow/tfjs-node' });
    expect((error as Error).message).toMatch(/npm install @tensorflow\/tfjs-node .*libtensorflow/);
    const gpu = await rejection(useBackend('node-gpu'));
    expect(gpu).toMatchObject({ backend: 'node-gpu', failure: 'not-installed', install: '@tensorflow/tfjs-node-gpu' });
  });

  it('reports a package that is installed but fails to load as init-failed, not as missing', async () => {
    const broken: ModuleImporter = () => Promise.reject(new Error('libtensorflow.so.2: cannot open shared object file'));
    const error = await rejection(useBackend('node', { importer: broken }));
    expect(error).toMatchObject({ backend: 'node', failure: 'init-failed', install: undefined });
    expect((error as Error).message).toContain('libtensorflow.so.2');
  });

  it('refuses webgl and webgpu in Node, naming what is missing', async () => {
    await expect(useBackend('webgl')).rejects.toMatchObject({ failure: 'unsupported', missing: 'WebGL 2' });
    await expect(useBackend('webgpu')).rejects.toMatchObject({ failure: 'unsupported', missing: 'WebGPU (navigator.gpu)' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects unknown names and thread counts outside 1..8', async () => {
    await expect(useBackend('gpu' as 'cpu')).rejects.toThrow(RangeError);
    for (const threads of [0, 9, 1.5]) await expect(useBackend('wasm', { threads })).rejects.toThrow(RangeError);
  });

  it("'auto' in Node skips what is not installed and picks multithreaded wasm", async () => {
    const info = await useBackend('auto');
    expect(NODE_AUTO_ORDER).toEqual(['node-gpu', 'node', 'wasm', 'cpu']);
    const cores = Math.min((await import('node:os')).availableParallelism(), 8);
    expect(info).toMatchObject({ name: 'wasm', requested: 'auto', simd: true, threads: cores });
    expect(info.skipped.map((s) => [s.backend, s.error.failure, s.error.install])).toEqual([
      ['node-gpu', 'not-installed', '@tensorflow/tfjs-node-gpu'],
      ['node', 'not-installed', '@tensorflow/tfjs-node'],
    ]);
    // What it chose and why: the order, what it skipped, the threads, and whether the FMA kernels run.
    const fma = info.relaxedSimd ? 'FMA kernels on (relaxed SIMD)' : `FMA kernels off: Node ${process.versions.node} has relaxed SIMD only behind a V8 flag;`;
    expect(info.reason.startsWith(
      'auto: wasm is the first available in node-gpu > node > wasm > cpu; skipped node-gpu ' +
        `(@tensorflow/tfjs-node-gpu not installed), node (@tensorflow/tfjs-node not installed) (${cores} thread(s), one per core; ${fma}`,
    ), info.reason).toBe(true);
  });

  it("'auto' falls through to cpu when wasm is missing too", async () => {
    const info = await useBackend('auto', { importer: without('@tensorflow/tfjs-backend-wasm') });
    expect(info.name).toBe('cpu');
    expect(info.skipped.map((s) => s.backend)).toEqual(['node-gpu', 'node', 'wasm']);
  });
});
