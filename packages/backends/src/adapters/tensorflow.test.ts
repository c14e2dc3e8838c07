// The tfjs-node adapter's logic, against stand-ins for tfjs-node and tfjs-node-gpu (they cannot
// be installed here: their install script downloads libtensorflow). A stand-in does what the real
// packages do on import: register a backend named 'tensorflow' whose instance carries tfjs-node's
// public `isGPUPackage` / `isUsingGpuDevice` fields. Nothing here runs TensorFlow itself.
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultImporter, type ModuleImporter } from '../importer.js';
import { useBackend } from '../use_backend.js';

/** Stands in for one of the two packages; the other one is really imported (and is not installed). */
function standIn(isGPUPackage: boolean, isUsingGpuDevice: boolean): ModuleImporter {
  const provided = isGPUPackage ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  return (specifier) => {
    if (specifier !== provided) return defaultImporter(specifier);
    tf.registerBackend('tensorflow', () => Object.assign(new MathBackendCPU(), { isGPUPackage, isUsingGpuDevice }), 3);
    return Promise.resolve({});
  };
}

afterEach(async () => {
  await useBackend('cpu');
  if (tf.findBackendFactory('tensorflow') !== null) tf.removeBackend('tensorflow');
});

describe('node / node-gpu adapter', () => {
  it('node imports tfjs-node and runs on its tensorflow backend', async () => {
    const info = await useBackend('node', { importer: standIn(false, false) });
    expect(info).toMatchObject({ name: 'tensorflow', gpu: false, requested: 'node' });
  });

  it('node-gpu with a visible CUDA device', async () => {
    const info = await useBackend('node-gpu', { importer: standIn(true, true) });
    expect(info).toMatchObject({ name: 'tensorflow', gpu: true, requested: 'node-gpu' });
  });

  it('node-gpu without a CUDA device fails (no silent CPU fallback) and restores the previous backend', async () => {
    await expect(useBackend('node-gpu', { importer: standIn(true, false) })).rejects.toMatchObject({
      name: 'BackendUnavailableError',
      failure: 'unsupported',
      missing: 'a CUDA GPU',
    });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('node-gpu after tfjs-node is loaded is a conflict, not a second native library', async () => {
    await useBackend('node', { importer: standIn(false, false) });
    await useBackend('cpu');
    const neverImported: ModuleImporter = () => Promise.reject(new Error('must not import'));
    await expect(useBackend('node-gpu', { importer: neverImported })).rejects.toMatchObject({ failure: 'conflict' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('node accepts the tensorflow backend tfjs-node-gpu registered', async () => {
    await useBackend('node-gpu', { importer: standIn(true, true) });
    const info = await useBackend('node', { importer: () => Promise.reject(new Error('must not import')) });
    expect(info).toMatchObject({ name: 'tensorflow', gpu: true });
  });

  it('a tfjs-node that registered into another tfjs-core copy is reported as a conflict', async () => {
    const elsewhere: ModuleImporter = () => Promise.resolve({});
    await expect(useBackend('tensorflow', { importer: elsewhere })).rejects.toMatchObject({
      backend: 'tensorflow',
      failure: 'conflict',
      message: expect.stringContaining('another copy of @tensorflow/tfjs-core') as unknown,
    });
  });

  it("'auto' prefers node-gpu, then node", async () => {
    const gpu = await useBackend('auto', { importer: standIn(true, true) });
    expect(gpu).toMatchObject({ name: 'tensorflow', gpu: true, skipped: [] });
    await useBackend('cpu');
    tf.removeBackend('tensorflow');
    const cpuOnly = await useBackend('auto', { importer: standIn(false, false) });
    expect(cpuOnly.name).toBe('tensorflow');
    expect(cpuOnly.skipped.map((s) => [s.backend, s.error.failure])).toEqual([['node-gpu', 'not-installed']]);
  });
});
