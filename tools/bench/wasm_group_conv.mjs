#!/usr/bin/env node
// Micro-benchmark of @resnext/layers' wasm SIMD grouped-convolution kernels on tfjs-backend-wasm
// (Node: SIMD, one thread) for the grouped 3x3 convolutions of ResNeXt-50 32x4d, including the
// stride-2 ones torchvision puts first in stages 2-4. Peers: the dense tf.conv2d of the same
// input/output channels (XNNPACK; it does `groups` times the work) and the depthwise-multiplier +
// sum formulation. Also times our input and filter gradients. Prints a markdown table.
//
// GFLOP/s counts each variant's own FLOPs: 2 * outH * outW * outC * 9 * inC/groups * batch for
// the grouped ones, groups times that for the dense conv.
//
// Modes: `alternate` (default) runs every peer once per round, so each starts with caches holding
// the others' data, as layers of a network do; `warm` runs each peer `--block` times in a row
// (median of the repeats after the first), the best case for every peer alike.
//
// Usage (from packages/layers, after build):
//   node ../../tools/bench/wasm_group_conv.mjs [--batches 1,8] [--mode alternate|warm] [--rounds 9]
//     [--shapes 0,4] (indices into SHAPES)
// Run it in its own scheduler group on a shared machine:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node ../../tools/bench/wasm_group_conv.mjs'
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { groupConv2d, groupConv2dBackpropFilter, groupConv2dBackpropInput } from '@resnext/layers';
import { depthwiseFilter } from './alternatives.mjs';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '1,8' },
    mode: { type: 'string', default: 'alternate' },
    rounds: { type: 'string', default: '9' },
    block: { type: 'string', default: '4' },
    shapes: { type: 'string', default: '' },
  },
});

const GROUPS = 32;
// [input size, channels, stride]: the grouped 3x3 of each ResNeXt-50 stage, then the stride-2
// first blocks of stages 2-4 (their input has the previous stage's size and this stage's width).
const SHAPES = [
  [56, 128, 1],
  [28, 256, 1],
  [14, 512, 1],
  [7, 1024, 1],
  [56, 256, 2],
  [28, 512, 2],
  [14, 1024, 2],
];

/** alternatives.mjs' depthwise-multiplier + sum formulation, with a stride. */
function depthwiseSum(x, dwFilter, groups, stride) {
  return tf.tidy(() => {
    const [n, , , c] = x.shape;
    const og = dwFilter.shape[3];
    const y = tf.depthwiseConv2d(x, dwFilter, stride, 'same');
    const [, oh, ow] = y.shape;
    return tf.reshape(tf.sum(tf.reshape(y, [n, oh, ow, groups, c / groups, og]), 4), [n, oh, ow, groups * og]);
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Milliseconds of one call of `fn` (returns a tensor). wasm kernels run synchronously, so the call
 * is the whole computation; reading the result back is left out, as it only adds a copy of the
 * output that a network's next layer would not make.
 */
function once(fn) {
  const t0 = performance.now();
  const y = fn();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

/** Median ms of each peer, measured per --mode. */
async function measure(peers, rounds) {
  // Warm-up, then a pause: V8 compiles wasm with Liftoff first and tiers hot functions up to
  // TurboFan in the background, which on a loaded machine can take a while.
  for (let i = 0; i < 6; i++) for (const fn of Object.values(peers)) once(fn);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const times = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
  const block = values.mode === 'warm' ? Number(values.block) : 1;
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(peers)) {
      const runs = [];
      for (let i = 0; i < block; i++) runs.push(once(fn));
      times[name].push(block === 1 ? runs[0] : median(runs.slice(1)));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

await tf.setBackend('wasm');
await tf.ready();
console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; mode ${values.mode}`);
console.log('GFLOP/s (median of rounds); "vs dense" = ours / dense GFLOP/s; dx, dW as time ratios to our forward.\n');
console.log('| batch | input | stride | ours fwd GFLOP/s | dense conv2d GFLOP/s | vs dense | depthwise+sum GFLOP/s | ours dx (x fwd) | ours dW (x fwd) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');

for (const batch of values.batches.split(',').map(Number)) {
  for (const [index, [size, channels, stride]] of SHAPES.entries()) {
    if (values.shapes !== '' && !values.shapes.split(',').map(Number).includes(index)) continue;
    const cg = channels / GROUPS;
    const x = tf.randomNormal([batch, size, size, channels]);
    const w = tf.randomNormal([3, 3, cg, channels]);
    const wDense = tf.randomNormal([3, 3, channels, channels]);
    const wDepthwise = depthwiseFilter(w, GROUPS);
    const out = Math.ceil(size / stride);
    const dy = tf.randomNormal([batch, out, out, channels]);
    const attrs = { strides: [stride, stride], pad: 'same', dilations: [1, 1], groups: GROUPS };
    const flops = 2 * batch * out * out * channels * 9 * cg;
    const rounds = Number(values.rounds) * (batch === 1 ? 2 : 1);
    const t = await measure(
      {
        ours: () => groupConv2d(x, w, stride, 'same', GROUPS),
        dense: () => tf.conv2d(x, wDense, stride, 'same'),
        depthwise: () => depthwiseSum(x, wDepthwise, GROUPS, stride),
        dx: () => groupConv2dBackpropInput(dy, w, { ...attrs, inputShape: x.shape }),
        dW: () => groupConv2dBackpropFilter(x, dy, { ...attrs, filterShape: w.shape }),
      },
      rounds,
    );
    const gf = (f, ms) => (f / ms / 1e6).toFixed(1);
    const ours = flops / t.ours / 1e6;
    const dense = (flops * GROUPS) / t.dense / 1e6;
    console.log(
      `| ${batch} | ${size}²×${channels} | ${stride} | ${ours.toFixed(1)} | ${dense.toFixed(1)} | ${((ours / dense) * 100).toFixed(0)}% | ${gf(flops, t.depthwise)} | ${(t.dx / t.ours).toFixed(2)} | ${(t.dW / t.ours).toFixed(2)} |`,
    );
    tf.dispose([x, w, wDense, wDepthwise, dy]);
  }
}
tf.removeBackend('wasm');
