import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerFileSystemRouter } from '@resnext/layers';
import { createModel } from '@resnext/models';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeError } from '@resnext/test-support';
import { exportTfjs } from './export_tfjs.js';
import { toFloat16Bits } from './float16.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'export-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFileSystemRouter();
});

describe('toFloat16Bits', () => {
  it('encodes hand-checked values, rounding to nearest even', () => {
    const bits = toFloat16Bits(Float32Array.from([1, -2, 65504, 1e6, 2 ** -24, 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, 0.333251953125]));
    expect(Array.from(bits)).toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x3c00, 0x3c02, 0x7c00, 0x3555]);
    expect(toFloat16Bits(Float32Array.from([NaN]))[0]! & 0x7c00).toBe(0x7c00);
  });
});

describe('exportTfjs', () => {
  const model = createModel('resnext50_32x4d', { inputShape: [32, 32, 3] });
  const x = tf.randomNormal([1, 32, 32, 3], 0, 1, 'float32', 5);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  const relErr = (a: ArrayLike<number>) => relativeError(a, expected);

  it('writes ≤ 4 MiB shards that load back to identical logits', async () => {
    const out = path.join(dir, 'f32');
    const result = await exportTfjs(model, out);
    const shards = readdirSync(out).filter((f) => f.endsWith('.bin'));
    expect(shards.length).toBe(Math.ceil(result.weightBytes / (4 * 1024 * 1024)));
    expect(shards.every((f) => statSync(path.join(out, f)).size <= 4 * 1024 * 1024)).toBe(true);
    expect(readdirSync(out).some((f) => f.endsWith('.tmp'))).toBe(false);
    const loaded = await tfl.loadLayersModel(`file://${out}/model.json`);
    const y = loaded.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected));
    tf.dispose(y);
    loaded.dispose();
  });

  it('halves the weights with float16 and stays within half precision', async () => {
    const out = path.join(dir, 'f16');
    const f32 = await exportTfjs(model, path.join(dir, 'f32b'), { shardBytes: 1 << 20 });
    const f16 = await exportTfjs(model, out, { float16: true });
    expect(f16.weightBytes).toBe(f32.weightBytes / 2);
    const loaded = await tfl.loadLayersModel(`file://${out}/model.json`);
    const y = loaded.predict(x) as tf.Tensor;
    const err = relErr(y.dataSync());
    expect(err).toBeGreaterThan(0); // really quantized
    expect(err).toBeLessThan(1e-2);
    tf.dispose(y);
    loaded.dispose();
  });
});
