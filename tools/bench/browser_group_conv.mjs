#!/usr/bin/env node
// Benchmark of @resnext/layers' grouped convolution on the browser GPU backends, in Debian's
// headless Chromium (SwiftShader: a CPU rasterizer, so the numbers only rank the approaches).
// For the four grouped 3x3 convolutions of ResNeXt-50 32x4d (batch 1) it times our kernel against
// the dense tf.conv2d with the same channels (groups× the work) and against split+conv+concat,
// plus our two gradient kernels. Prints a markdown table.
//
// Usage (from the repository root, no build needed: Vite serves the TypeScript sources):
//   node tools/bench/browser_group_conv.mjs [--backends webgl,webgpu] [--reps 15]
// On a shared machine give it its own scheduler group:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/browser_group_conv.mjs'
/* global window -- Node global, and the page's window in page callbacks */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { launchChromium, startPageServer } from './page_server.mjs';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'webgl' },
    reps: { type: 'string', default: '15' },
  },
});

// Runs in the page. Peers run alternately within each repetition, so load from other processes
// falls on all of them alike; every timing ends with `await data()`, which waits for the GPU.
const PAGE_MODULE = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '/packages/layers/src/kernels/register_all.ts';
import { groupConv2d } from '/packages/layers/src/ops/group_conv2d.ts';
import { groupConv2dBackpropFilter, groupConv2dBackpropInput } from '/packages/layers/src/ops/group_conv2d_backprop.ts';
import { splitConvConcat } from '/tools/bench/alternatives.mjs';

const GROUPS = 32;
const SHAPES = [[56, 128], [28, 256], [14, 512], [7, 1024]];

async function timeOnce(fn) {
  const t0 = performance.now();
  const y = fn();
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

window.runBench = async (backend, reps) => {
  if (!(await tf.setBackend(backend))) throw new Error('backend ' + backend + ' unavailable');
  await tf.ready();
  const rows = [];
  for (const [s, c] of SHAPES) {
    const x = tf.randomNormal([1, s, s, c]);
    const w = tf.randomNormal([3, 3, c / GROUPS, c]);
    const wDense = tf.randomNormal([3, 3, c, c]);
    const dy = tf.randomNormal([1, s, s, c]);
    const attrs = { strides: [1, 1], pad: 'same', dilations: [1, 1], groups: GROUPS };
    const peers = {
      // An elementwise op of the output's size: what launching and reading back alone cost.
      floor: () => tf.relu(x),
      ours: () => groupConv2d(x, w, 1, 'same', GROUPS),
      dense: () => tf.conv2d(x, wDense, 1, 'same'),
      split: () => splitConvConcat(x, w, GROUPS),
      dx: () => groupConv2dBackpropInput(dy, w, { ...attrs, inputShape: x.shape }),
      dW: () => groupConv2dBackpropFilter(x, dy, { ...attrs, filterShape: w.shape }),
    };
    const times = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
    for (const fn of Object.values(peers)) await timeOnce(fn); // warm-up: shader compilation
    for (let r = 0; r < reps; r++) for (const [k, fn] of Object.entries(peers)) times[k].push(await timeOnce(fn));
    rows.push({ s, c, times });
    tf.dispose([x, w, wDense, dy]);
  }
  return rows;
};
`;

const stats = (ts) => {
  const s = [...ts].sort((a, b) => a - b);
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1] };
};
const fmt = (ts) => {
  const t = stats(ts);
  return `${t.median.toFixed(1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)})`;
};

const server = await startPageServer(PAGE_MODULE, {
  include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'],
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 120_000 });
  const version = browser.version();
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; Chromium ${version} (SwiftShader); ${new Date().toISOString().slice(0, 10)}`);
  console.log(`Batch 1, 32 groups, 3x3 stride 1 'same'. Times: median ms (min–max) of ${values.reps} runs after one warm-up, each ending with await data().\n`);
  console.log('| backend | input | relu (floor) | ours fwd | dense conv2d | split+conv+concat | dense / ours | split / ours | ours dx | ours dW |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const backend of values.backends.split(',')) {
    const rows = await page.evaluate(([b, reps]) => window.runBench(b, reps), [backend, Number(values.reps)]);
    for (const { s, c, times } of rows) {
      const ours = stats(times.ours).median;
      console.log(
        `| ${backend} | ${s}²×${c} | ${fmt(times.floor)} | ${fmt(times.ours)} | ${fmt(times.dense)} | ${fmt(times.split)} | ${(stats(times.dense).median / ours).toFixed(1)}× | ${(stats(times.split).median / ours).toFixed(1)}× | ${fmt(times.dx)} | ${fmt(times.dW)} |`,
      );
    }
  }
} finally {
  await browser.close();
  await server.close();
}
