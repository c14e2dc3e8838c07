/// <reference types="vite/client" />
// useBackend in Chromium (SwiftShader): webgl, webgpu and wasm each compute conv2d like the cpu
// backend; the page is cross-origin isolated (the dev server sends COOP/COEP), so wasm runs its
// threaded build; 'auto' follows the browser order. The backends' loaders come from the
// @resnext/backends/browser entry, as in a bundled app.
import './entries/browser.js';
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_AUTO_ORDER, useBackend } from './use_backend.js';

// tfjs looks for its .wasm binaries next to the bundled script, where Vite has none.
const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
};

const xs = Float32Array.from({ length: 2 * 9 * 7 * 5 }, (_, i) => Math.sin(i));
const ws = Float32Array.from({ length: 3 * 3 * 5 * 6 }, (_, i) => Math.cos(i * 0.7));

async function conv(): Promise<Float32Array> {
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(xs, [2, 9, 7, 5]), tf.tensor4d(ws, [3, 3, 5, 6]), [2, 1], 'same'));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

let reference: Float32Array;

beforeAll(async () => {
  await useBackend('cpu');
  reference = await conv();
});

function expectClose(got: Float32Array): void {
  expect(got.length).toBe(reference.length);
  let maxErr = 0;
  for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - reference[i]!));
  expect(maxErr).toBeLessThan(1e-4);
}

describe('useBackend in Chromium', () => {
  it('webgl: WebGL 2', async () => {
    expect(await useBackend('webgl')).toMatchObject({ name: 'webgl', webglVersion: 2 });
    expectClose(await conv());
  });

  it('webgpu: reports the adapter', async () => {
    const info = await useBackend('webgpu');
    expect(info.name).toBe('webgpu');
    expect(info.webgpuAdapter).toBeTypeOf('object');
    expectClose(await conv());
  });

  it('wasm: threaded build with the requested threads in a cross-origin isolated page', async () => {
    const info = await useBackend('wasm', { wasmPaths, threads: 2 });
    expect(info).toMatchObject({ name: 'wasm', simd: true, crossOriginIsolated: true, threads: 2 });
    // The threaded module exposes its shared memory; the single-threaded one does not.
    const wasm = (tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory } }).wasm;
    expect(wasm.wasmMemory?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectClose(await conv());
  });

  it('wasm: another thread count restarts the backend with exactly that many', async () => {
    expect((await useBackend('wasm', { wasmPaths, threads: 1 })).threads).toBe(1);
    const info = await useBackend('wasm', { wasmPaths, threads: 3 });
    expect(info.threads).toBe(3);
    expect(info.reason).toBe('requested wasm');
    expectClose(await conv());
  });

  it("'auto' takes the first of webgpu > webgl > wasm > cpu", async () => {
    const info = await useBackend('auto');
    expect(BROWSER_AUTO_ORDER).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(info).toMatchObject({ name: 'webgpu', requested: 'auto', skipped: [] });
  });

  it('node and node-gpu are refused in a browser', async () => {
    await expect(useBackend('node')).rejects.toMatchObject({ failure: 'unsupported', missing: 'Node.js' });
  });
});
