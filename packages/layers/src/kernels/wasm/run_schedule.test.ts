// waitForZero, the kernel pool's wait for its workers: returns once another thread has counted the
// value down to 0 (sleeping or polling), and gives up at its limit when nobody does, as when a
// worker died mid-call.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { waitForZero } from './run_schedule.js';

/** A worker thread that sleeps `afterMs`, then decrements ctl[index] and notifies, `times` times. */
function countDownLater(ctl: Int32Array, index: number, afterMs: number, times: number): Worker {
  const source = `
    const { workerData } = require('node:worker_threads');
    const ctl = new Int32Array(workerData.buffer);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < workerData.times; i++) {
      Atomics.wait(pause, 0, 0, workerData.afterMs);
      Atomics.sub(ctl, workerData.index, 1);
      Atomics.notify(ctl, workerData.index);
    }`;
  return new Worker(source, { eval: true, workerData: { buffer: ctl.buffer, index, afterMs, times } });
}

describe('waitForZero', () => {
  it.each([
    ['sleeping', true],
    ['polling', false],
  ] as const)('returns true once another thread counts the value down (%s)', async (_, canSleep) => {
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    ctl[1] = 2;
    const worker = countDownLater(ctl, 1, 40, 2);
    await new Promise((resolve) => worker.once('online', resolve));
    const start = performance.now();
    expect(waitForZero(ctl, 1, canSleep, 1, 10_000)).toBe(true);
    const waited = performance.now() - start;
    expect(Atomics.load(ctl, 1)).toBe(0);
    expect(waited).toBeGreaterThanOrEqual(60); // two 40 ms pauses, less the worker's head start
    await worker.terminate();
  });

  it('returns false at its limit when nothing counts down, leaving the value as it was', () => {
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    ctl[1] = 1;
    const start = performance.now();
    expect(waitForZero(ctl, 1, true, 1, 150)).toBe(false);
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(5_000);
    expect(ctl[1]).toBe(1);
  });

  it('returns at once when the value is already 0', () => {
    const ctl = new Int32Array(new SharedArrayBuffer(16));
    expect(waitForZero(ctl, 1, true, 1, 0)).toBe(true);
  });
});
