// Smoke test: tfjs really runs in Node on the cpu and wasm backends, and conv2d agrees with a
// hand-computed convolution on both.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { backendInfo } from './info.js';

// 1x3x3x1 input 1..9, 2x2x1x1 filter [[1,0],[0,-1]], valid: out[i][j] = x[i][j] - x[i+1][j+1] = -4.
describe.each(['cpu', 'wasm'])('tfjs on %s in Node', (backend) => {
  it('runs conv2d and matches the hand-computed result', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    await tf.ready();
    expect(backendInfo().name).toBe(backend);
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.tensor4d([1, 0, 0, -1], [2, 2, 1, 1]);
    const y = tf.conv2d(x, w, 1, 'valid');
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(await y.data())).toEqual([-4, -4, -4, -4]);
    tf.dispose([x, w, y]);
  });
});

describe('backendInfo on wasm', () => {
  it("reports SIMD on and 1 thread for tfjs' own wasm loader (tfjs issue #3830), relaxed SIMD as the Node version has it", async () => {
    await tf.setBackend('wasm');
    // Node 22 and newer have relaxed SIMD by default; Node 20 only behind a V8 flag, which this
    // test file never sets.
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    expect(backendInfo()).toEqual({ name: 'wasm', simd: true, relaxedSimd: nodeMajor >= 22, threads: 1 });
  });
});
