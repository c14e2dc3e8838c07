#!/usr/bin/env node
// Benchmark of @resnext/backends' wasm backend in Node on 1 thread (tfjs' single-threaded SIMD
// build) against N threads (the threaded SIMD build on worker_threads): the forward pass of a
// ResNet-50-shaped network (torchvision layout, BN folded into conv bias, fused conv + bias + ReLU,
// NHWC, random weights) at 224².
//
// Each sample set comes from its own child process (fresh backend, 2 warm-up runs, then --reps
// timed runs); children for the thread counts alternate, in a rotating order, for --rounds rounds,
// so background load hits all configurations alike. Prints a markdown table.
//
// Usage (after `npx nx run @resnext/backends:build`):
//   node tools/bench/wasm_threads.mjs [--threads 1,2] [--rounds 5] [--reps 2] [--batch 1]
// Run it in its own scheduler group on a shared machine:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/wasm_threads.mjs'
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '5' },
    reps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) await child(Number(values.threads), Number(values.reps), Number(values.batch));
else parent();

/** One configuration in this process: prints `{ info, times }` as JSON on the last line. */
async function child(threads, reps, batch) {
  const tf = await import('@tensorflow/tfjs-core');
  // Once src/index.ts exports useBackend this can import '@resnext/backends'.
  const { useBackend } = await import('../../packages/backends/dist/use_backend.js');
  const info = await useBackend('wasm', { threads });
  const { forward, macs } = resnet50(tf, batch);
  const x = tf.randomUniform([batch, 224, 224, 3]);
  const run = async () => {
    const t0 = performance.now();
    const y = forward(x);
    await y.data();
    const ms = performance.now() - t0;
    y.dispose();
    return ms;
  };
  for (let i = 0; i < 2; i++) await run();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await run());
  console.log(JSON.stringify({ info: { name: info.name, threads: info.threads, simd: info.simd }, macs, times }));
}

/**
 * ResNet-50 v1.5 (stride on the 3x3, as torchvision) with inference-time folded BN: every conv has
 * a bias and, except before the residual add, a fused ReLU. Returns the forward and its MAC count.
 */
function resnet50(tf, batch) {
  let macs = 0;
  const conv = (cin, cout, k, stride, relu, size) => {
    const bound = Math.sqrt(6 / (k * k * cin)); // He-uniform
    const filter = tf.randomUniform([k, k, cin, cout], -bound, bound);
    const bias = tf.randomUniform([cout], -0.1, 0.1);
    const out = Math.ceil(size / stride);
    macs += batch * out * out * k * k * cin * cout;
    const apply = (x) =>
      tf.fused.conv2d({ x, filter, bias, strides: stride, pad: 'same', activation: relu ? 'relu' : 'linear' });
    return { apply, out };
  };
  const layers = [];
  const stem = conv(3, 64, 7, 2, true, 224);
  let size = Math.ceil(stem.out / 2); // 3x3/2 max-pool
  let cin = 64;
  for (const [planes, blocks, stride] of [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ]) {
    for (let b = 0; b < blocks; b++) {
      const s = b === 0 ? stride : 1;
      const c1 = conv(cin, planes, 1, 1, true, size);
      const c2 = conv(planes, planes, 3, s, true, size);
      const c3 = conv(planes, planes * 4, 1, 1, false, c2.out);
      const shortcut = b === 0 ? conv(cin, planes * 4, 1, s, false, size) : undefined;
      layers.push({ c1, c2, c3, shortcut });
      cin = planes * 4;
      size = c2.out;
    }
  }
  const fcW = tf.randomUniform([2048, 1000], -Math.sqrt(6 / 2048), Math.sqrt(6 / 2048));
  const fcB = tf.zeros([1000]);
  macs += batch * 2048 * 1000;
  const forward = (x) =>
    tf.tidy(() => {
      let h = tf.maxPool(stem.apply(x), 3, 2, 'same');
      for (const { c1, c2, c3, shortcut } of layers) {
        const identity = shortcut ? shortcut.apply(h) : h;
        h = tf.relu(tf.add(c3.apply(c2.apply(c1.apply(h))), identity));
      }
      return tf.add(tf.matMul(tf.mean(h, [1, 2]), fcW), fcB);
    });
  return { forward, macs };
}

function parent() {
  const configs = values.threads.split(',').map(Number);
  const rounds = Number(values.rounds);
  const samples = new Map(configs.map((t) => [t, []]));
  const infos = new Map();
  let macs = 0;
  const self = fileURLToPath(import.meta.url);
  const load = os.loadavg()[0];
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no configuration always runs first (or last) in a round.
    const order = configs.map((_, i) => configs[(i + round) % configs.length]);
    for (const threads of order) {
      const args = [self, '--child', '--threads', String(threads), '--reps', values.reps, '--batch', values.batch];
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
      const last = result.stdout.trim().split('\n').at(-1) ?? '';
      if (result.status !== 0 || !last.startsWith('{')) {
        throw new Error(`child with ${threads} thread(s) failed (status ${result.status}):\n${result.stderr}`);
      }
      const parsed = JSON.parse(last);
      samples.get(threads).push(...parsed.times);
      infos.set(threads, parsed.info);
      macs = parsed.macs;
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; load average ${load.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}`);
  console.log(`ResNet-50-shaped forward, batch ${values.batch}, 224², ${(macs / 1e9).toFixed(2)} GMACs; ${rounds} alternating rounds × ${values.reps} timed runs per configuration (2 warm-up runs per process).\n`);
  console.log('| threads | build | median ms | min–max ms | samples | GFLOP/s | speed-up vs first row |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  let first;
  for (const threads of configs) {
    const ts = samples.get(threads).sort((a, b) => a - b);
    const median = ts.length % 2 === 1 ? ts[ts.length >> 1] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2;
    first ??= median;
    const info = infos.get(threads);
    const build = threads > 1 ? 'threaded SIMD (worker_threads)' : 'SIMD, single-threaded';
    console.log(
      `| ${info.threads} | ${build} | ${median.toFixed(1)} | ${ts[0].toFixed(1)}–${ts.at(-1).toFixed(1)} | ${ts.length} | ${((2 * macs) / median / 1e6).toFixed(1)} | ${(first / median).toFixed(2)}× |`,
    );
  }
}
