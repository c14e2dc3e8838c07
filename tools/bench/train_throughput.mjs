#!/usr/bin/env node
// Training throughput of `resnext_fmnist` on tfjs-backend-wasm in Node, 1 and 2
// threads, against PyTorch's on 1 and 2 threads (tools/bench/train_pytorch.py --bench).
//
// One training step = forward in training mode (batch statistics, moving averages updated),
// softmax cross-entropy with label smoothing 0.1 on the logits, tf.variableGrads over every
// trainable weight, SGD-Nesterov applyGradients; batch 128 of 28x28x1. Each sample set comes
// from its own child process (fresh backend, 3 warm-up steps, then --steps timed steps); the
// configurations alternate, in a rotating order, for --rounds rounds, so background load hits all
// alike. Prints one JSON line per configuration, then a markdown table.
//
// Usage (after `npx nx run @resnext/models:build` and `npx nx run @resnext/backends:build`):
//   node tools/bench/train_throughput.mjs [--configs wasm1,wasm2,torch1,torch2] [--rounds 5] [--steps 5]
//   node tools/bench/train_throughput.mjs --profile [--threads 2]   # time per kernel of one step
//   node tools/bench/train_throughput.mjs --exactness [--configs wasm1,wasm2,wasm3]
//       # our training kernels at every shape of one step, replayed on fixed inputs and hashed per
//       # thread count: exits 1 unless all thread counts give the same bytes
// Before/after comparisons: --baseline <dir> names another checkout (e.g. a `git worktree` of the
// previous commit, with its own node_modules/@resnext links and dist builds); a config suffixed
// `@base` (wasm2@base) runs its child from there, interleaved with the others like any config.
// Run it in its own scheduler group on a shared machine:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/train_throughput.mjs'
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BATCH = 128;
/** Our training kernels, whose outputs must not depend on the thread count. */
const OWN_TRAINING_KERNELS = ['ResNeXtGroupConv2DBackpropFilter', 'Conv2DBackpropFilter', 'ResNeXtBatchNormTrain', 'ResNeXtBatchNormTrainGrad', 'ResNeXtReluGradFromOutput'];
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');

const { values } = parseArgs({
  options: {
    configs: { type: 'string', default: 'wasm1,wasm2,torch1,torch2' },
    rounds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: 'resnext_fmnist' },
    // A JSON object merged into the model's config (design sweeps), e.g. '{"blocksPerStage":[1,2,2]}'.
    override: { type: 'string', default: '' },
    baseline: { type: 'string', default: '' },
    exactness: { type: 'boolean', default: false },
    digest: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

if (values.digest) await digest(Number(values.threads));
else if (values.child || values.profile) await child(Number(values.threads), Number(values.steps), values.profile);
else if (values.exactness) exactness();
else parent();

/** Builds the model and one training step on a fixed random batch. */
async function setup(threads) {
  const tf = await import('@tensorflow/tfjs-core');
  const { useBackend } = await import(path.join(root, 'packages/backends/dist/index.js'));
  const { createModel, getModelConfig } = await import(path.join(root, 'packages/models/dist/index.js'));
  const info = await useBackend('wasm', { threads });
  const config = { ...getModelConfig(values.model), ...(values.override ? JSON.parse(values.override) : {}) };
  const model = createModel(config, { inputShape: [28, 28, 1], numClasses: 10 });
  const variables = model.trainableWeights.map((w) => w.read());
  const optimizer = tf.train.momentum(0.05, 0.9, true);
  const x = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true });
      return tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1);
    }, variables);
    optimizer.applyGradients(grads);
    tf.dispose(grads);
    return value;
  };
  const gradients = () => tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }), undefined, 0.1), variables);
  return { tf, info, step, gradients, dispose: () => tf.removeBackend('wasm') };
}

/** Deterministic float32 values of one input; a variance stays positive. */
function replayInput(name, size, seed) {
  const v = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7311 + seed * 1.37));
  return name === 'variance' ? v.map((x) => x * x + 0.1) : v;
}

/**
 * On `threads` threads in this process: records the shapes and attributes of every call of our
 * training kernels in one training step, replays each call on fixed inputs of those shapes, and
 * prints `{ threads, calls, digest }` (SHA-256 of all outputs). The step itself is not compared:
 * tfjs' and XNNPACK's own kernels feeding ours may round differently on other thread counts.
 */
async function digest(threads) {
  const { createHash } = await import('node:crypto');
  const { tf, info, gradients, dispose } = await setup(threads);
  const calls = new Map();
  for (const name of OWN_TRAINING_KERNELS) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) throw new Error(`${name} is not registered for wasm`);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const inputs = Object.entries(args.inputs).map(([key, t]) => [key, t.shape, t.dtype]);
        const record = JSON.stringify({ name, inputs, attrs: args.attrs });
        calls.set(record, { name, inputs, attrs: args.attrs });
        return config.kernelFunc(args);
      },
    });
  }
  const { value, grads } = gradients();
  tf.dispose([value, grads]);
  const hash = createHash('sha256');
  let seed = 0;
  for (const [record, call] of [...calls].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const inputs = Object.fromEntries(call.inputs.map(([key, shape]) => [key, tf.tensor(replayInput(key, tf.util.sizeFromShape(shape), ++seed), shape)]));
    const out = [tf.engine().runKernel(call.name, inputs, call.attrs)].flat();
    hash.update(record);
    for (const t of out) hash.update(new Uint8Array((await t.data()).buffer));
    tf.dispose([...Object.values(inputs), ...out]);
  }
  console.log(JSON.stringify({ threads: info.threads, calls: calls.size, digest: hash.digest('hex') }));
  dispose();
}

/** Runs `digest` per wasm config; exits 1 unless every thread count gives the same bytes. */
function exactness() {
  const configs = values.configs.split(',').filter((c) => c.startsWith('wasm'));
  const digests = configs.map((config) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--digest', '--threads', config.slice(4), '--model', values.model], { encoding: 'utf8', cwd: root });
    if (r.status !== 0) throw new Error(`${config} failed: ${r.stderr}`);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1));
    console.log(JSON.stringify({ config, ...last }));
    return last.digest;
  });
  const same = digests.every((d) => d === digests[0]);
  console.log(same ? 'our training kernels: bit-identical on every thread count' : 'our training kernels: outputs differ between thread counts');
  process.exitCode = same ? 0 : 1;
}

/** One configuration in this process: prints `{ info, samples }` (img/s) as JSON on the last line. */
async function child(threads, steps, profile) {
  const { tf, info, step, dispose } = await setup(threads);
  const run = async (n) => {
    const t0 = performance.now();
    let loss;
    for (let i = 0; i < n; i++) {
      loss?.dispose();
      loss = step();
    }
    await loss.data();
    loss.dispose();
    return (BATCH * n * 1000) / (performance.now() - t0);
  };
  await run(3);
  if (profile) {
    const before = tf.memory().numTensors;
    const p = await tf.profile(() => step());
    const byKernel = new Map();
    for (const k of p.kernels) {
      if (values.verbose) console.log(k.name, (await k.kernelTimeMs).toFixed(1), JSON.stringify(k.inputShapes), JSON.stringify(k.outputShapes));
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += await k.kernelTimeMs;
      e.calls += 1;
      byKernel.set(k.name, e);
    }
    const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
    console.log(`threads ${info.threads}: ${p.kernels.length} kernel calls, ${total.toFixed(1)} ms in kernels; leak ${tf.memory().numTensors - before - 1}`);
    for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls ${((100 * e.ms) / total).toFixed(1).padStart(5)}%`);
    }
    console.log(`step ${(await run(1)).toFixed(1)} img/s`);
  } else {
    const samples = [await run(steps)];
    console.log(JSON.stringify({ engine: 'tfjs-wasm', threads: info.threads, simd: info.simd, samples }));
  }
  dispose();
}

/** A child for one configuration and round; returns its img/s. */
function sample(config, steps) {
  const torch = config.startsWith('torch');
  const base = config.endsWith('@base');
  if (base && !values.baseline) throw new Error(`${config} needs --baseline <dir>`);
  const from = base ? path.resolve(values.baseline) : root;
  const threads = config.replace(/@base$/, '').replace(/^\D+/, '');
  const cmd = torch ? '/usr/bin/python3' : process.execPath;
  const args = torch
    ? [path.join(here, 'train_pytorch.py'), '--bench', '--bench-threads', threads, '--rounds', '1', '--steps', String(steps * 2)]
    : [path.join(from, 'tools/bench/train_throughput.mjs'), '--child', '--threads', threads, '--steps', String(steps), '--model', values.model, '--override', values.override];
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: from });
  if (r.status !== 0) throw new Error(`${config} failed: ${r.stderr}`);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return last.samples[0] ?? last.median_img_s;
}

function parent() {
  const configs = values.configs.split(',');
  const rounds = Number(values.rounds);
  const samples = Object.fromEntries(configs.map((c) => [c, []]));
  // The machine's 1-min load average before each sample and at the end: the background the samples shared.
  const loads = [];
  for (let r = 0; r < rounds; r++) {
    const order = configs.map((_, i) => configs[(i + r) % configs.length]);
    for (const c of order) {
      loads.push(os.loadavg()[0]);
      samples[c].push(sample(c, Number(values.steps)));
    }
  }
  loads.push(os.loadavg()[0]);
  const median = (s) => [...s].sort((a, b) => a - b)[Math.floor(s.length / 2)];
  const stats = configs.map((c) => ({ config: c, median: median(samples[c]), min: Math.min(...samples[c]), max: Math.max(...samples[c]), samples: samples[c] }));
  for (const s of stats) console.log(JSON.stringify(s));
  const torch2 = stats.find((s) => s.config === 'torch2')?.median;
  console.log(`\n${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}; batch ${BATCH}, ${values.model}, 28x28x1`);
  const meanLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
  console.log(`1-min load average during the run: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (mean ${meanLoad.toFixed(2)})\n`);
  console.log('| engine | threads | img/s median | min–max | ÷ PyTorch 2 threads |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const s of stats) {
    const name = s.config.replace(/@base$/, '');
    const [engine, threads] = name.startsWith('torch') ? ['PyTorch 1.13', name.slice(5)] : [s.config.endsWith('@base') ? 'tfjs-wasm (baseline)' : 'tfjs-wasm (ours)', name.slice(4)];
    const ratio = torch2 === undefined ? '–' : (s.median / torch2).toFixed(2);
    console.log(`| ${engine} | ${threads} | ${s.median.toFixed(1)} | ${s.min.toFixed(1)}–${s.max.toFixed(1)} | ${ratio} |`);
  }
}
