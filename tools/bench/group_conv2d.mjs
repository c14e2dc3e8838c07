#!/usr/bin/env node
// Benchmark of @resnext/layers' groupConv2d on the Node backends (cpu, wasm) for the four grouped
// 3x3 convolutions of ResNeXt-50 32x4d, against the dense conv2d of the same size (the ceiling:
// it does groups× the work) and the naive alternatives. Prints a markdown table.
//
// Usage (from packages/layers, after build):  node ../../tools/bench/group_conv2d.mjs [--backends cpu,wasm] [--batches 1,8] [--quick]
// Run it in its own scheduler group on a shared machine:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node ../../tools/bench/group_conv2d.mjs'
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { groupConv2d, groupConv2dBackpropFilter, groupConv2dBackpropInput } from '@resnext/layers';
import { depthwiseFilter, depthwiseMultiplierSum, splitConvConcat } from './alternatives.mjs';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,cpu' },
    batches: { type: 'string', default: '1,8' },
    quick: { type: 'boolean', default: false },
  },
});

const GROUPS = 32;
// [spatial size, channels]: the grouped 3x3 of each ResNeXt-50 stage (stride 1 blocks).
const SHAPES = [
  [56, 128],
  [28, 256],
  [14, 512],
  [7, 1024],
];

/**
 * Median and spread (min–max) of `reps` timed runs after warm-up; `fn` returns a tensor. The cpu
 * and wasm backends run kernels synchronously, so the call itself is the work; reading the result
 * back (a copy out of the wasm heap) is done after the clock stops, for ours and the peers alike.
 */
async function time(fn, reps) {
  const run = async () => {
    const t0 = performance.now();
    const y = fn();
    const ms = performance.now() - t0;
    await y.data();
    y.dispose();
    return ms;
  };
  await run();
  await run();
  const ts = [];
  for (let i = 0; i < reps; i++) ts.push(await run());
  ts.sort((a, b) => a - b);
  return { median: ts[ts.length >> 1], min: ts[0], max: ts[ts.length - 1] };
}

const fmt = (t) => `${t.median.toFixed(t.median < 10 ? 2 : 1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)})`;
const gflops = (flops, t) => (flops / t.median / 1e6).toFixed(2);

console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log('Times: median ms (min–max). GFLOP/s counts the grouped conv\'s own FLOPs for the grouped variants and the dense FLOPs for the dense conv.\n');
console.log('| backend | batch | input | ours fwd ms | ours GFLOP/s | dense conv2d ms | dense GFLOP/s | ours / dense GFLOP/s | split+concat ms | depthwise+sum ms | ours dx ms | ours dW ms | bwd / fwd |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');

for (const backend of values.backends.split(',')) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const batch of values.batches.split(',').map(Number)) {
    for (const [s, c] of SHAPES) {
      const heavy = backend === 'cpu';
      const reps = values.quick ? 3 : heavy ? 5 : 15;
      const x = tf.randomNormal([batch, s, s, c]);
      const w = tf.randomNormal([3, 3, c / GROUPS, c]);
      const wDense = tf.randomNormal([3, 3, c, c]);
      const dw = depthwiseFilter(w, GROUPS);
      const dy = tf.randomNormal([batch, s, s, c]);
      const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1], groups: GROUPS };
      const flops = 2 * batch * s * s * c * 9 * (c / GROUPS);

      const ours = await time(() => groupConv2d(x, w, 1, 'same', GROUPS), reps);
      // The dense conv on cpu takes seconds per call: fewer repetitions there.
      const dense = await time(() => tf.conv2d(x, wDense, 1, 'same'), heavy ? 1 : Math.max(3, reps / 3));
      const split = await time(() => splitConvConcat(x, w, GROUPS), reps);
      const depthwise = await time(() => depthwiseMultiplierSum(x, dw, GROUPS), reps);
      const dx = await time(() => groupConv2dBackpropInput(dy, w, { ...attrs, inputShape: x.shape }), reps);
      let dW;
      try {
        dW = await time(() => groupConv2dBackpropFilter(x, dy, { ...attrs, filterShape: w.shape }), reps);
      } catch (err) {
        dW = undefined;
        console.error(`${backend}: backprop filter failed: ${err.message}`);
      }
      const ratio = ((flops / ours.median) / ((flops * GROUPS) / dense.median)) * 100;
      const bwd = dW === undefined ? 'n/a' : `${(dx.median / ours.median).toFixed(2)} / ${(dW.median / ours.median).toFixed(2)}`;
      console.log(
        `| ${backend} | ${batch} | ${s}²×${c} | ${fmt(ours)} | ${gflops(flops, ours)} | ${fmt(dense)} | ${gflops(flops * GROUPS, dense)} | ${ratio.toFixed(0)}% | ${fmt(split)} | ${fmt(depthwise)} | ${fmt(dx)} | ${dW ? fmt(dW) : 'fails'} | ${bwd} |`,
      );
      tf.dispose([x, w, wDense, dw, dy]);
    }
  }
}
tf.removeBackend('wasm');
