#!/usr/bin/env node
// Where ResNeXt-50's inference time goes on wasm: tf.profile kernel times per kernel
// (convolutions split by filter size), averaged over a few runs, after warm-up, for BN-folded
// resnext50_32x4d at batch 1 on `useBackend('wasm', { threads, relaxedSimd })`.
//
// Usage (after `npx nx run-many -t build`):
//   node tools/bench/inference_profile.mjs [--threads 2] [--relaxed-simd on|off] [--runs 3] [--batch 1] [--by-shape]
// --by-shape lists every convolution shape on its own with its MACs and GMAC/s.
// On a shared machine: setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/inference_profile.mjs'
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import { foldBatchNorm } from '@resnext/layers';
import { createModel } from '@resnext/models';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    'relaxed-simd': { type: 'string', default: 'on' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '1' },
    'by-shape': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const got = await useBackend('wasm', { threads: Number(values.threads), relaxedSimd: values['relaxed-simd'] === 'on' });
const model = foldBatchNorm(createModel('resnext50_32x4d'));
const x = tf.randomUniform([Number(values.batch), 224, 224, 3]);
const predict = () => tf.tidy(() => model.predict(x)).dataSync();
for (let i = 0; i < 3; i++) predict();

const times = new Map(); // kernel → ms per run
const macs = new Map(); // kernel → multiply-adds per run (convolutions, with --by-shape)
/** Multiply-adds of a convolution kernel: output elements × filter taps × input channels per group. */
function convMacs(k) {
  const [out, filter] = [k.outputShapes[0], k.inputShapes[1]];
  return out.reduce((a, b) => a * b, 1) * filter[0] * filter[1] * filter[2];
}
for (let r = 0; r < runs; r++) {
  const profile = await tf.profile(() => {
    const y = model.predict(x);
    y.dataSync();
    return y;
  });
  for (const k of profile.kernels) {
    if (k.name.endsWith('__op')) continue; // op wrappers repeat their kernel's time
    const conv = k.name.includes('Conv');
    const filter = !conv ? '' : values['by-shape'] ? ` x ${k.inputShapes[0].join('×')} f ${k.inputShapes[1].join('×')}` : ` ${k.inputShapes[1]?.slice(0, 2).join('×')}`;
    times.set(k.name + filter, (times.get(k.name + filter) ?? 0) + k.kernelTimeMs / runs);
    if (conv) macs.set(k.name + filter, (macs.get(k.name + filter) ?? 0) + convMacs(k) / runs);
  }
}
const walls = [];
for (let i = 0; i < 2 * runs + 1; i++) {
  const t0 = performance.now();
  predict();
  walls.push(performance.now() - t0);
}
walls.sort((a, b) => a - b);
const total = [...times.values()].reduce((a, b) => a + b, 0);
console.log(
  `wasm, ${got.threads} thread(s), relaxed SIMD ${got.relaxedSimd}: predict median ${walls[walls.length >> 1].toFixed(1)} ms ` +
    `(min ${walls[0].toFixed(1)}); kernels ${total.toFixed(1)} ms per run, ${runs} profiled runs`,
);
console.log('| kernel | ms per run | share | M MACs | GMAC/s |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, ms] of [...times].sort((a, b) => b[1] - a[1])) {
  if (ms < 0.5 && !values['by-shape']) continue;
  const m = macs.get(name);
  const rate = m === undefined ? ['', ''] : [(m / 1e6).toFixed(0), (m / 1e6 / ms).toFixed(1)];
  console.log(`| ${name} | ${ms.toFixed(2)} | ${((100 * ms) / total).toFixed(0)}% | ${rate.join(' | ')} |`);
}
model.dispose();
x.dispose();
tf.removeBackend('wasm');
