// @resnext/layers' wasm kernels get a pool of nested workers with the backend's threads, in a Web
// Worker (where the caller blocks in Atomics.wait) and on a cross-origin isolated page's main
// thread (where it polls): tfjs' 1×1 convolutions then move to our FMA kernel.
import { describe, expect, it } from 'vitest';
import { probeKernelPool, type KernelPoolReport } from '../testing/kernel_pool_probe.js';

function expectPoolUp(report: KernelPoolReport): void {
  expect(report.error).toBeUndefined();
  expect(report.threads).toBe(2);
  // The first call ran before the pool's workers could start (they start once the thread yields).
  expect(report.firstOurs).toBeGreaterThan(0);
  expect(report.stable).toEqual([true, true, true, true, true]);
  expect(report.tensorsLeaked).toBe(0);
}

describe('our wasm kernels on 2 threads', () => {
  it('run on the backend\'s threads in a Web Worker once the pool is up', async () => {
    const worker = new Worker(new URL('../testing/kernel_pool_worker.ts', import.meta.url), { type: 'module' });
    // The worker reports each phase; if it never answers, the test says where it stopped.
    let phase = 'loading the worker script';
    const report = await new Promise<KernelPoolReport>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the worker gave no report within 100 s; last phase: ${phase}`)), 100_000);
      worker.onmessage = (event: MessageEvent<KernelPoolReport | { phase: string }>) => {
        if ('phase' in event.data) {
          phase = event.data.phase;
          return;
        }
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage('start');
    });
    worker.terminate();
    expectPoolUp(report);
  });

  it('run on the backend\'s threads on the page\'s main thread once the pool is up', async () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expectPoolUp(await probeKernelPool());
  });
});
