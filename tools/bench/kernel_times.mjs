#!/usr/bin/env node
// Per-kernel times of ResNeXt-50 inference on wasm without tf.profile (which reads every output
// back and so changes what it measures): each wasm kernel is wrapped with a clock, and the median
// of `--runs` passes is taken per call site. Then every convolution shape is replayed on its own
// with fresh inputs ("hot": its weights and data in cache) to show what running inside the network
// costs it (cold weights, data last written by the other core, worker wake-ups).
//
// Usage (after `npx nx run-many -t build`):
//   node tools/bench/kernel_times.mjs [--threads 2] [--relaxed-simd on|off] [--runs 15]
// On a shared machine: setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/kernel_times.mjs'
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import { foldBatchNorm } from '@resnext/layers';
import { createModel } from '@resnext/models';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    'relaxed-simd': { type: 'string', default: 'on' },
    runs: { type: 'string', default: '15' },
  },
});
const runs = Number(values.runs);
const got = await useBackend('wasm', { threads: Number(values.threads), relaxedSimd: values['relaxed-simd'] === 'on' });
const model = foldBatchNorm(createModel('resnext50_32x4d'));
const x = tf.randomUniform([1, 224, 224, 3]);
const predict = () => tf.tidy(() => model.predict(x)).dataSync();
for (let i = 0; i < 3; i++) predict();

// Wrap every wasm kernel (after warm-up, so tfjs' setup-time wrappers are already in place).
let calls = [];
let timing = false;
const kernelFuncs = new Map();
for (const config of tf.getKernelsForBackend('wasm')) {
  const run = config.kernelFunc;
  kernelFuncs.set(config.kernelName, run);
  tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      if (!timing) return run(args);
      const t0 = performance.now();
      const out = run(args);
      calls.push({ name: config.kernelName, args, ms: performance.now() - t0 });
      return out;
    },
  });
}
const passes = [];
const walls = [];
for (let i = 0; i < runs; i++) {
  calls = [];
  timing = true;
  const t0 = performance.now();
  predict();
  walls.push(performance.now() - t0);
  timing = false;
  passes.push(calls);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// Median per call site, summed per kernel and shape.
const rows = new Map();
let kernelsTotal = 0;
for (let j = 0; j < passes[0].length; j++) {
  const { name, args } = passes[0][j];
  const ms = median(passes.map((p) => p[j].ms));
  kernelsTotal += ms;
  const conv = name.includes('Conv');
  const key = conv ? `${name} ${args.inputs.x.shape.slice(1).join('×')} f ${args.inputs.filter.shape.join('×')}` : name;
  const row = rows.get(key) ?? { name, args, conv, count: 0, inNet: 0 };
  row.count++;
  row.inNet += ms;
  rows.set(key, row);
}

// Each convolution shape replayed alone, inputs fresh and hot.
const backend = tf.backend();
for (const row of rows.values()) {
  if (!row.conv) continue;
  const inputs = {};
  for (const [k, t] of Object.entries(row.args.inputs)) if (t) inputs[k] = tf.randomUniform(t.shape);
  const run = kernelFuncs.get(row.name);
  const call = () => backend.disposeData(run({ inputs, backend, attrs: row.args.attrs }).dataId);
  for (let i = 0; i < 3; i++) call();
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    call();
    ts.push(performance.now() - t0);
  }
  row.hot = median(ts) * row.count;
  tf.dispose(Object.values(inputs));
}

console.log(
  `wasm, ${got.threads} thread(s), relaxed SIMD ${got.relaxedSimd}: predict median ${median(walls).toFixed(1)} ms; ` +
    `kernels ${kernelsTotal.toFixed(1)} ms (sum of per-call medians over ${runs} passes)`,
);
console.log('');
console.log('| kernel | calls | in the network, ms | alone (hot), ms | difference |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [key, row] of [...rows].sort((a, b) => b[1].inNet - a[1].inNet)) {
  const hot = row.hot === undefined ? '' : row.hot.toFixed(2);
  const diff = row.hot === undefined ? '' : (row.inNet - row.hot).toFixed(2);
  console.log(`| ${key} | ${row.count} | ${row.inNet.toFixed(2)} | ${hot} | ${diff} |`);
}
