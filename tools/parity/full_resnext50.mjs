#!/usr/bin/env node
// Full-size parity: torchvision resnext50_32x4d with random weights and BN statistics (written by
// `/usr/bin/python3 tools/fixtures/make_torchvision_fixtures.py --full DIR`, ~200 MB, never
// committed) loaded through @resnext/pretrained's readers into @resnext/models' resnext50_32x4d.
// Prints max |ours − torch| / max |torch| per format and backend.
// Usage (after `npm run build`): node tools/parity/full_resnext50.mjs DIR [--backends wasm,cpu]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../packages/pretrained/package.json', import.meta.url));
const load = (name) => import(require.resolve(name));
const tf = await load('@tensorflow/tfjs-core');
await load('@tensorflow/tfjs-backend-cpu');
await load('@tensorflow/tfjs-backend-wasm');
const { foldBatchNorm } = await load('@resnext/layers');
const { createModel } = await load('@resnext/models');
const { loadWeights, readSafetensors } = await import(new URL('../../packages/pretrained/dist/index.js', import.meta.url).href);

const { values, positionals } = parseArgs({ options: { backends: { type: 'string', default: 'wasm,cpu' } }, allowPositionals: true });
const dir = positionals[0];
if (!dir) throw new Error('usage: full_resnext50.mjs DIR');
const io = readSafetensors(readFileSync(path.join(dir, 'resnext50_32x4d.io.safetensors'))).tensors;
const input = io.get('input_0');
const logits = io.get('logits_0').values;

for (const backend of values.backends.split(',')) {
  await tf.setBackend(backend);
  for (const file of ['resnext50_32x4d.pth', 'resnext50_32x4d.safetensors']) {
    const model = createModel('resnext50_32x4d');
    await loadWeights(model, path.join(dir, file));
    for (const [label, m] of [['unfolded', model], ['BN folded', foldBatchNorm(model)]]) {
      const x = tf.transpose(tf.tensor(input.values, input.shape), [0, 2, 3, 1]);
      const t0 = performance.now();
      const y = m.predict(x);
      const ours = await y.data();
      const ms = performance.now() - t0;
      let d = 0;
      let s = 0;
      logits.forEach((v, i) => {
        d = Math.max(d, Math.abs(ours[i] - v));
        s = Math.max(s, Math.abs(v));
      });
      console.log(`${backend} ${file} ${label}: max rel error ${(d / s).toExponential(2)} (first call ${ms.toFixed(0)} ms)`);
      tf.dispose([x, y]);
      if (m !== model) m.dispose();
    }
    model.dispose();
  }
}
tf.removeBackend('wasm');
