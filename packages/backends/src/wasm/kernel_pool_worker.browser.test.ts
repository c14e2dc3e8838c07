// In a Web Worker (where a thread may block in Atomics.wait) @resnext/layers' wasm kernels get a
// pool of nested workers with the backend's threads, so tfjs' 1×1 convolutions move to our FMA
// kernel there; on a page's main thread they stay on XNNPACK (see pointwise_routing.test.ts).
import { describe, expect, it } from 'vitest';

interface Report {
  threads?: number;
  firstOurs: number;
  stable: boolean[];
  calls: number;
  error?: string;
}

describe('our wasm kernels in a Web Worker', () => {
  it('run on the backend\'s threads once the pool is up', async () => {
    const worker = new Worker(new URL('../testing/kernel_pool_worker.ts', import.meta.url), { type: 'module' });
    const report = await new Promise<Report>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<Report>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage('start');
    });
    worker.terminate();
    expect(report.error).toBeUndefined();
    expect(report.threads).toBe(2);
    // The first call ran before the pool's workers could start (they start once the worker yields).
    expect(report.firstOurs).toBeGreaterThan(0);
    expect(report.stable).toEqual([true, true, true, true, true]);
  });
});
