import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerFileSystemRouter } from '@resnext/layers';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModel } from './create_model.js';

describe('save and load through tf.io', () => {
  it('round-trips resnext50_32x4d via file:// with identical logits', async () => {
    await tf.setBackend('cpu');
    registerFileSystemRouter();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'resnext50-'));
    try {
      const model = createModel('resnext50_32x4d', { inputShape: [32, 32, 3] });
      await model.save(`file://${dir}`);
      const loaded = await tfl.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
      expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3);
      const [a, b] = tf.tidy(() => [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor]);
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      model.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
