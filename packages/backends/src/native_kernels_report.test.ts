// What useBackend reports about @resnext/layers' native kernels in Node: whether 1×1 convolutions
// run on them and why, read from the status that package publishes (this one does not depend on it).
import * as tf from '@tensorflow/tfjs-core';
import '@resnext/layers';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from './use_backend.js';

const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

describe('useBackend and the native kernels of @resnext/layers', () => {
  afterAll(() => tf.removeBackend('wasm')); // its worker threads would keep the process alive

  it.runIf(onLinuxX64)('reports them on, in the result and in the reason, on Linux x64', async () => {
    const result = await useBackend('auto', { threads: 2 });
    expect(result.name).toBe('wasm');
    expect(result.nativeKernels).toEqual({ active: true, reason: 'AVX2 + FMA addon for linux-x64' });
    expect(result.reason).toContain('1×1 convolutions on native kernels (AVX2 + FMA addon for linux-x64)');
  });

  it('reports them off, and why, when the RESNEXT_NATIVE_KERNELS flag is off', async () => {
    tf.env().set('RESNEXT_NATIVE_KERNELS', false);
    try {
      const result = await useBackend('wasm', { threads: 2 });
      expect(result.nativeKernels).toEqual({ active: false, reason: 'RESNEXT_NATIVE_KERNELS is off' });
      expect(result.reason).toContain('native kernels off: RESNEXT_NATIVE_KERNELS is off');
    } finally {
      tf.env().set('RESNEXT_NATIVE_KERNELS', true);
    }
  });
});
