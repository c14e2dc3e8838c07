// tfjs' wasm backend as @resnext/backends starts it in Chromium: exactly the requested threads
// (tfjs' own loader gives half of navigator.hardwareConcurrency at most), the .wasm binaries
// shipped in wasm-files/ by default, and a missing binary named by its URL.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../errors.js';
import type { ModuleImporter } from '../importer.js';
import { browserImporter } from '../testing/browser_importer.js';
import { pthreadMainScript } from './browser_wasm.js';
import type { EmscriptenFactory } from './emscripten_module.js';
import { useBackend } from '../use_backend.js';

const importer = browserImporter;

const xs = Float32Array.from({ length: 2 * 9 * 7 * 16 }, (_, i) => Math.sin(i));
const ws = Float32Array.from({ length: 3 * 3 * 16 * 24 }, (_, i) => Math.cos(i * 0.7));

async function conv(): Promise<Float32Array> {
  const y = tf.tidy(() => tf.conv2d(tf.tensor4d(xs, [2, 9, 7, 16]), tf.tensor4d(ws, [3, 3, 16, 24]), 1, 'same'));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

let reference: Float32Array;
beforeAll(async () => {
  await useBackend('cpu');
  reference = await conv();
});

function maxError(got: Float32Array): number {
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i]! - reference[i]!));
  return max;
}

const sharedHeap = () => (tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory } }).wasm.wasmMemory?.buffer instanceof SharedArrayBuffer;

describe('wasm in Chromium, started by @resnext/backends', () => {
  it('runs the requested thread count, beyond half of hardwareConcurrency', async () => {
    for (const threads of [2, 3, 1]) {
      const info = await useBackend('wasm', { threads, importer });
      expect(info).toMatchObject({ name: 'wasm', threads, simd: true, crossOriginIsolated: true });
      expect(info.reason).toBe('requested wasm');
      expect(sharedHeap()).toBe(threads > 1);
      expect(maxError(await conv())).toBeLessThan(1e-4);
    }
    // Beyond tfjs' own cap on this machine, which reports few cores.
    expect(3).toBeGreaterThan(Math.floor(navigator.hardwareConcurrency / 2));
  });

  it('finds the shipped binaries without wasmPaths', async () => {
    const fetched: string[] = [];
    const original = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return original(input, init);
    };
    try {
      await useBackend('wasm', { threads: 2, importer });
    } finally {
      globalThis.fetch = original;
    }
    expect(fetched.some((url) => url.endsWith('/wasm-files/tfjs-backend-wasm-threaded-simd.wasm'))).toBe(true);
    expect(maxError(await conv())).toBeLessThan(1e-4);
  });

  it('names the URL of a binary that is not served', async () => {
    const missing = `${location.origin}/no-such-folder/`;
    const error = await useBackend('wasm', { threads: 1, importer, wasmPaths: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toContain(`${missing}tfjs-backend-wasm-simd.wasm`);
    expect((error as Error).message).toMatch(/HTTP 404|not a WebAssembly binary/);
  });
});

describe("'auto' in Chromium with a broken setup", () => {
  it('warns, through onWarning and the result, when wasm fails to start and cpu is left', async () => {
    const notBundled: ModuleImporter = (specifier) =>
      /webgl|webgpu/.test(specifier) ? Promise.reject(new TypeError(`Failed to resolve module specifier "${specifier}"`)) : importer(specifier);
    const heard: string[] = [];
    const info = await useBackend('auto', { importer: notBundled, wasmPaths: `${location.origin}/missing/`, onWarning: (m) => heard.push(m) });
    expect(info.name).toBe('cpu');
    expect(info.skipped.map((s) => [s.backend, s.error.failure])).toEqual([
      ['webgpu', 'not-installed'],
      ['webgl', 'not-installed'],
      ['wasm', 'init-failed'],
    ]);
    expect(heard).toEqual(info.warnings);
    expect(heard[0]).toContain(`skipped wasm, which failed to start: tfjs' wasm binary is missing at ${location.origin}/missing/`);
    expect(heard[1]).toContain('fell back to the cpu backend (slow) because webgpu and webgl could not be imported');
  });
});

describe('the glue as pthread workers load it', () => {
  it('survives a minifier that turned a typeof test of a closure variable into a plain read', async () => {
    // What Oxc makes of the glue's `typeof _scriptDir !== "undefined"`: a read of the renamed closure variable.
    const minified = (() => {
      const e: string | undefined = 'page';
      return function (module: { where?: string }) {
        module.where = e !== void 0 ? e : 'worker';
        return module;
      };
    })() as unknown as EmscriptenFactory;
    const worker = `importScripts(${JSON.stringify(URL.createObjectURL(new Blob([pthreadMainScript(minified)])))});
      postMessage([typeof WasmBackendModuleThreadedSimd, WasmBackendModuleThreadedSimd({}).where, typeof Math.max]);`;
    const plain = `var WasmBackendModuleThreadedSimd = ${minified.toString()};
      try { WasmBackendModuleThreadedSimd({}); postMessage('ran'); } catch (error) { postMessage(String(error)); }`;
    const run = (source: string) =>
      new Promise<unknown>((resolve, reject) => {
        const w = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        w.onmessage = (event) => {
          resolve(event.data);
          w.terminate();
        };
        w.onerror = (event) => reject(new Error(event.message));
      });
    expect(await run(plain)).toMatch(/ReferenceError/); // the failure the wrapper exists for
    expect(await run(worker)).toEqual(['function', 'worker', 'function']);
  });
});
