#!/usr/bin/env node
// Before/after of the wasm kernels alone, in one process: the relaxed-SIMD (FMA) build of this
// checkout's kernels and of another built checkout's (--baseline DIR), each instantiated on a
// memory of its own, run the forward pass of every convolution shape of ResNeXt-50 32x4d (224²,
// --batch images) on one thread, calls alternating A, B, A, B… so load from other processes hits both alike.
// Prints per shape the median ms of each build (min–max), their ratio, and the pass total
// weighted by how often ResNeXt-50 runs each shape. Both builds get the same inputs and filters;
// their outputs are compared (max abs difference).
//
// Usage (after building @resnext/layers in both checkouts):
//   node tools/bench/kernel_ab.mjs --baseline DIR [--reps 15] [--filter 1x1|3x3|all] [--batch 1]
// On a shared machine: setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/kernel_ab.mjs …'
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    reps: { type: 'string', default: '15' },
    filter: { type: 'string', default: 'all' },
    batch: { type: 'string', default: '1' },
  },
});
if (values.baseline === undefined) throw new Error('usage: kernel_ab.mjs --baseline DIR');
if (Number(process.versions.node.split('.')[0]) < 22) v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // on by default from Node 22

// [count in ResNeXt-50, h, w, c, k, o, groups, stride]
const SHAPES = [
  [3, 56, 56, 128, 1, 256, 1, 1], [2, 56, 56, 256, 1, 128, 1, 1], [1, 56, 56, 256, 1, 256, 1, 1], [1, 56, 56, 256, 1, 512, 1, 2],
  [4, 28, 28, 256, 1, 512, 1, 1], [3, 28, 28, 512, 1, 256, 1, 1], [1, 28, 28, 512, 1, 512, 1, 1], [1, 28, 28, 512, 1, 1024, 1, 2],
  [6, 14, 14, 512, 1, 1024, 1, 1], [5, 14, 14, 1024, 1, 512, 1, 1], [1, 14, 14, 1024, 1, 1024, 1, 1], [1, 14, 14, 1024, 1, 2048, 1, 2],
  [3, 7, 7, 1024, 1, 2048, 1, 1], [2, 7, 7, 2048, 1, 1024, 1, 1],
  [3, 56, 56, 128, 3, 128, 32, 1], [1, 56, 56, 256, 3, 256, 32, 2], [3, 28, 28, 256, 3, 256, 32, 1], [1, 28, 28, 512, 3, 512, 32, 2],
  [5, 14, 14, 512, 3, 512, 32, 1], [1, 14, 14, 1024, 3, 1024, 32, 2], [2, 7, 7, 1024, 3, 1024, 32, 1],
].filter((s) => values.filter === 'all' || (values.filter === '1x1') === (s[4] === 1));

async function load(root) {
  const url = pathToFileURL(path.resolve(root, 'packages/layers/dist/kernels/wasm/generated/kernels_wasm.js'));
  const generated = await import(url.href);
  const bytes = Buffer.from(generated.KERNELS_WASM_RELAXED_BASE64, 'base64');
  const memory = new WebAssembly.Memory({ initial: 8192 }); // 512 MiB: batch 8's largest input, output and filter
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  return { exports, memory };
}

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const builds = [
  { name: 'after', ...(await load(here)) },
  { name: 'before', ...(await load(values.baseline)) },
];
const reps = Number(values.reps);
/** As @resnext/layers decides it (kernel_module.ts): the wide core where V8 is 13 or newer. */
const WIDE = Number.parseInt(process.versions.v8, 10) >= 13 ? 1 : 0;
const n = Number(values.batch);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function setUp(build, shape, data) {
  const [, h, w, c, k, o, groups, stride] = shape;
  const pad = (k - 1) >> 1;
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  const geo = [n, h, w, c, k, k, o, groups, stride, stride, 1, 1, pad, pad, oh, ow];
  const e = build.exports;
  let top = 1 << 16;
  const alloc = (bytes) => ((top += Math.ceil(bytes / 64) * 64), top - Math.ceil(bytes / 64) * 64);
  const x = alloc(4 * n * h * w * c);
  const filter = alloc(4 * k * k * (c / groups) * o);
  const bias = alloc(4 * o);
  const y = alloc(4 * n * oh * ow * o);
  const heap = new Float32Array(build.memory.buffer);
  heap.set(data.x, x / 4);
  heap.set(data.filter, filter / 4);
  heap.set(data.bias, bias / 4);
  const packed = alloc(e.group_conv_packed_filter_bytes(...geo));
  // Builds whose entry points take `wide` (the 24-channel 1x1 core) get it as the package chooses it.
  const wide = e.group_conv_pack_filter.length > 3 + geo.length ? [WIDE] : [];
  e.group_conv_pack_filter(packed, filter, 0, ...wide, ...geo);
  const scratch = alloc(e.group_conv_forward_scratch(...geo));
  const rows = n * oh;
  const run = () => e.group_conv_forward(0, 0, rows, x, packed, bias, 0, y, scratch, 1, 1, ...wide, ...geo);
  return { run, out: () => new Float32Array(build.memory.buffer, y, n * oh * ow * o), macs: n * oh * ow * o * k * k * (c / groups) };
}

console.log(`${os.cpus()[0]?.model}, Node ${process.version}, 1-min load average ${os.loadavg()[0].toFixed(2)}; batch ${n}, one thread, ${reps} alternating calls per build`);
console.log('| shape | count | before ms | after ms | after / before | after GMAC/s | max abs diff |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const totals = { before: 0, after: 0 };
for (const shape of SHAPES) {
  const [count, h, w, c, k, o, groups, stride] = shape;
  const rand = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const data = { x: rand(n * h * w * c), filter: rand(k * k * (c / groups) * o), bias: rand(o) };
  const runs = builds.map((b) => setUp(b, shape, data));
  for (const r of runs) for (let i = 0; i < 3; i++) r.run();
  const times = runs.map(() => []);
  for (let i = 0; i < reps; i++) {
    for (let j = 0; j < runs.length; j++) {
      const r = runs[(i + j) % runs.length];
      const t0 = performance.now();
      r.run();
      times[runs.indexOf(r)].push(performance.now() - t0);
    }
  }
  const [a, b] = runs.map((r) => r.out());
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  const [after, before] = times.map(median);
  totals.after += count * after;
  totals.before += count * before;
  const name = `${h}²×${c} ${k}×${k}${groups > 1 ? ` g${groups}` : ''} → ${o}${stride > 1 ? ' s2' : ''}`;
  console.log(`| ${name} | ${count} | ${before.toFixed(3)} | ${after.toFixed(3)} | ${(after / before).toFixed(3)} | ${(runs[0].macs / after / 1e6).toFixed(1)} | ${diff.toExponential(1)} |`);
}
console.log(`| per pass (weighted) | | ${totals.before.toFixed(2)} | ${totals.after.toFixed(2)} | ${(totals.after / totals.before).toFixed(3)} | | |`);
console.log(`1-min load average at the end ${os.loadavg()[0].toFixed(2)}`);
