// Smoke test in real Chromium: webgl runs WebGL 2 and its conv2d equals the cpu backend's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { describe, expect, it } from 'vitest';
import { backendInfo } from './info.js';

async function conv2dOn(backend: string, xs: Float32Array, ws: Float32Array): Promise<Float32Array> {
  await tf.setBackend(backend);
  await tf.ready();
  return tf.tidy(() =>
    tf.conv2d(tf.tensor4d(xs, [2, 9, 7, 5]), tf.tensor4d(ws, [3, 3, 5, 6]), [2, 1], 'same'),
  ).data() as Promise<Float32Array>;
}

describe('tfjs in Chromium', () => {
  it('webgl is WebGL 2 and conv2d equals cpu', async () => {
    const xs = Float32Array.from({ length: 2 * 9 * 7 * 5 }, (_, i) => Math.sin(i));
    const ws = Float32Array.from({ length: 3 * 3 * 5 * 6 }, (_, i) => Math.cos(i * 0.7));
    const onCpu = await conv2dOn('cpu', xs, ws);
    const onGl = await conv2dOn('webgl', xs, ws);
    expect(backendInfo()).toEqual({ name: 'webgl', webglVersion: 2 });
    expect(onGl.length).toBe(2 * 5 * 7 * 6);
    let maxErr = 0;
    for (let i = 0; i < onCpu.length; i++) maxErr = Math.max(maxErr, Math.abs(onGl[i]! - onCpu[i]!));
    expect(maxErr).toBeLessThan(1e-4);
  });
});
