#!/usr/bin/env node
// Proves @resnext/layers installs and runs alone: packs it, installs the tarball into an empty
// folder with only tfjs-core, tfjs-layers and the cpu and wasm backends (from the npm registry or
// npm's cache), then runs a tiny network with GroupConv2D on cpu and on wasm and checks both
// against a grouped convolution written with plain tf.conv2d per group; on Linux x64, also that
// the tarball's native addon loaded and runs a 1x1 convolution on wasm as cpu computes it.
// Usage: node tools/check-install-alone.mjs   (from the repository root or anywhere)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'packages/layers');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'resnext-layers-alone-'));
const TFJS = '4.22.0';
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], pkgDir));
  writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(scratch, packed.filename),
    `@tensorflow/tfjs-core@${TFJS}`, `@tensorflow/tfjs-layers@${TFJS}`, `@tensorflow/tfjs-backend-cpu@${TFJS}`, `@tensorflow/tfjs-backend-wasm@${TFJS}`], scratch);
  writeFileSync(
    path.join(scratch, 'tiny.mjs'),
    `import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { GroupConv2D } from '@resnext/layers';

// Reference: the grouped convolution as one tf.conv2d per group.
function perGroup(x, w, groups) {
  const xs = tf.split(x, groups, 3), ws = tf.split(w, groups, 3);
  return tf.concat(xs.map((xi, g) => tf.conv2d(xi, ws[g], 1, 'same')), 3);
}
const out = {};
for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  const model = tfl.sequential({ layers: [
    new GroupConv2D({ inputShape: [8, 8, 16], filters: 32, kernelSize: 3, padding: 'same', groups: 4, useBias: false, kernelInitializer: tfl.initializers.randomNormal({ seed: 1 }) }),
  ] });
  const x = tf.randomNormal([2, 8, 8, 16], 0, 1, 'float32', 7);
  const y = model.predict(x);
  const ref = perGroup(x, model.getWeights()[0], 4);
  const err = tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0] / tf.max(tf.abs(ref)).dataSync()[0];
  if (!(err < 1e-5)) throw new Error(backend + ': GroupConv2D differs from per-group conv2d by ' + err);
  out[backend] = { shape: y.shape, err };
}
// The native kernels, as the package reports them (useBackend reads the same status).
out.native = globalThis[Symbol.for('resnext.nativeKernelStatus')]();
if (process.platform === 'linux' && process.arch === 'x64') {
  if (!out.native.active) throw new Error('the native addon did not load from the tarball: ' + out.native.reason);
  const conv = () => tf.conv2d(tf.randomNormal([1, 9, 7, 64], 0, 1, 'float32', 3), tf.randomNormal([1, 1, 64, 40], 0, 1, 'float32', 4), 1, 'valid');
  await tf.setBackend('cpu');
  const ref = conv();
  await tf.setBackend('wasm');
  const got = conv();
  const err = tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0] / tf.max(tf.abs(ref)).dataSync()[0];
  if (!(err < 1e-5)) throw new Error('native 1x1 convolution differs from cpu by ' + err);
  out.native.conv1x1Error = err;
}
console.log(JSON.stringify(out));
tf.removeBackend('wasm');
`,
  );
  const result = run(process.execPath, ['tiny.mjs'], scratch);
  console.log(`@resnext/layers installed alone (${packed.filename}) and ran on cpu and wasm: ${result.trim()}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
