#!/usr/bin/env node
// Whole-network benchmark: ResNeXt-50 32x4d and the ResNet-50-shaped reference built by
// the same builder (`resnext50_1x64d`: cardinality 1, width 64, i.e. exactly ResNet-50), 224²,
// random weights, inference, on our backends (wasm with 1 and 2 threads through
// `useBackend('wasm', { threads })`, and optionally cpu for ResNeXt-50 batch 1) against
// onnxruntime-node running torchvision's resnext50_32x4d / resnet50 with 1 and 2 intra-op threads.
//
// Our models get every lever that keeps results exact: BN folded into the convolutions
// (`foldBatchNorm`, which also fuses the ReLU that follows a conv into the conv: conv + bias + ReLU
// in one kernel), channels-last input (no layout copy), the backend's grouped-conv kernel.
// onnxruntime-node runs the ONNX files written by
//   /usr/bin/python3 tools/fixtures/export_onnx.py DIR
// (torch's exporter folds BN into Conv in eval mode; onnxruntime fuses Conv + ReLU itself).
//
// Each configuration lives in its own child process (models built once, warm-up runs first); the
// parent then asks for one timed run per configuration per round, rotating the order every round,
// so background load hits every configuration alike. Prints a markdown table: median, min–max,
// ratio to onnxruntime-node with the same thread count, and the grouped-conv tax (ResNeXt-50 time /
// ResNet-50 time on the same backend and batch).
//
// wasm setups run with `relaxedSimd: true` by default (our kernels' FMA build, which also takes
// over the 1x1 convolutions; label `wasm+fma`); `--relaxed-simd off` or `both` adds plain `wasm`.
// On Linux x64 @resnext/layers runs the 1×1 convolutions on its native kernels (label `+native`);
// `--native off` or `both` adds setups with them switched off (the RESNEXT_NATIVE_KERNELS flag).
//
// Usage (after `npx nx run-many -t build`):
//   node tools/bench/resnext50.mjs --onnx DIR [--batches 1,8] [--rounds 12] [--rounds8 6]
//        [--wasm-threads 1,2] [--relaxed-simd on|off|both] [--native on|off|both] [--ort-threads 1,2] [--cpu-runs 3] [--warmup 2]
//        [--archs resnext50_32x4d,resnext50_1x64d] [--baseline DIR]
// --baseline DIR adds the wasm setups of another built checkout (a `git worktree` of an earlier
// commit with its own node_modules/@resnext links), labelled "(baseline)", interleaved with the rest:
// before/after in one run.
// On a shared machine give it its own scheduler group:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/resnext50.mjs --onnx DIR'
import { fork } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ARCHS = [
  // label, our registry name, torchvision / ONNX file name
  { label: 'ResNeXt-50 32x4d', ours: 'resnext50_32x4d', onnx: 'resnext50_32x4d' },
  { label: 'ResNet-50 (1x64d)', ours: 'resnext50_1x64d', onnx: 'resnet50' },
];

const { values } = parseArgs({
  options: {
    onnx: { type: 'string' },
    batches: { type: 'string', default: '1,8' },
    rounds: { type: 'string', default: '12' },
    rounds8: { type: 'string', default: '6' },
    'wasm-threads': { type: 'string', default: '1,2' },
    // wasm setups with relaxed SIMD (FMA build of our kernels): 'on', 'off' or 'both'
    'relaxed-simd': { type: 'string', default: 'on' },
    // @resnext/layers' native 1×1 kernels (Linux x64): 'on' (where they load), 'off' (RESNEXT_NATIVE_KERNELS false) or 'both'
    native: { type: 'string', default: 'on' },
    'ort-threads': { type: 'string', default: '1,2' },
    'cpu-runs': { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    // another checkout (e.g. a `git worktree` of an earlier commit, built): its wasm setups run too, labelled `@base`
    baseline: { type: 'string' },
    archs: { type: 'string', default: ARCHS.map((a) => a.ours).join(',') },
    worker: { type: 'string' }, // internal: 'tfjs:<backend>:<threads>[:relaxed]' or 'ort:<threads>'
  },
});

const archs = ARCHS.filter((a) => values.archs.split(',').includes(a.ours));

if (values.worker !== undefined) await worker(values.worker);
else await parent();

// ---------------------------------------------------------------------------------------------
// Child processes: build once, then answer { arch, batch } with one timed forward pass.

async function worker(spec) {
  const [kind, a, b, ...modes] = spec.split(':');
  const engine = kind === 'ort' ? await ortEngine(Number(a)) : await tfjsEngine(a, Number(b), modes.includes('relaxed'), !modes.includes('nonative'));
  process.send({ ready: true, info: engine.info });
  process.on('message', async (msg) => {
    if (msg.exit) {
      await engine.close();
      process.disconnect();
      return;
    }
    try {
      const ms = await engine.run(msg.arch, msg.batch);
      process.send({ ms });
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) });
    }
  });
}

async function tfjsEngine(backend, threads, relaxedSimd, native) {
  const tf = await import('@tensorflow/tfjs-core');
  const { useBackend } = await import('@resnext/backends');
  const { foldBatchNorm, NATIVE_KERNELS_FLAG } = await import('@resnext/layers');
  tf.env().set(NATIVE_KERNELS_FLAG, native);
  const { createModel } = await import('@resnext/models');
  const got = await useBackend(backend, backend === 'wasm' ? { threads, relaxedSimd } : {});
  const models = new Map();
  const fold = {};
  for (const arch of archs) {
    if (backend === 'cpu' && arch.ours !== 'resnext50_32x4d') continue; // cpu: ResNeXt-50 batch 1 only
    const model = createModel(arch.ours);
    // BN statistics that are not the identity, so folding is actually exercised.
    tf.tidy(() => {
      for (const layer of model.layers) {
        if (layer.getClassName() !== 'BatchNormalization') continue;
        const [gamma, beta, mean, variance] = layer.getWeights();
        layer.setWeights([
          tf.randomUniform(gamma.shape, 0.5, 1.5),
          tf.randomUniform(beta.shape, -0.1, 0.1),
          tf.randomUniform(mean.shape, -0.1, 0.1),
          tf.randomUniform(variance.shape, 0.5, 1.5),
        ]);
      }
    });
    const folded = foldBatchNorm(model);
    const count = (m, pred) => m.layers.filter(pred).length;
    const isRelu = (l) => l.getClassName() === 'ReLU' || (l.getClassName() === 'Activation' && l.getConfig().activation === 'relu');
    const isConv = (l) => l.getClassName() === 'Conv2D' || l.getClassName() === 'GroupConv2D';
    const stats = {
      batchNormsBefore: count(model, (l) => l.getClassName() === 'BatchNormalization'),
      batchNormsAfter: count(folded, (l) => l.getClassName() === 'BatchNormalization'),
      reluLayersBefore: count(model, isRelu),
      reluLayersAfter: count(folded, isRelu),
      convsWithFusedRelu: count(folded, (l) => isConv(l) && l.getConfig().activation === 'relu'),
      groupConvs: count(folded, (l) => l.getClassName() === 'GroupConv2D'),
    };
    // Folding must not change the result: compare once at batch 1 (too slow on cpu, skipped there).
    if (backend !== 'cpu') {
      const x = tf.randomUniform([1, 224, 224, 3]);
      const [y0, y1] = [model.predict(x), folded.predict(x)];
      const [a, b] = [await y0.data(), await y1.data()];
      let d = 0;
      let s = 0;
      a.forEach((v, i) => {
        d = Math.max(d, Math.abs(v - b[i]));
        s = Math.max(s, Math.abs(v));
      });
      stats.foldMaxRelError = d / s;
      tf.dispose([x, y0, y1]);
    }
    model.dispose();
    models.set(arch.ours, folded);
    fold[arch.ours] = stats;
  }
  const inputs = new Map();
  return {
    info: { name: got.name, threads: got.threads, simd: got.simd, relaxedSimd: got.relaxedSimd, native: got.nativeKernels?.active === true, fold, tensors: tf.memory().numTensors },
    async run(arch, batch) {
      const model = models.get(arch);
      if (!inputs.has(batch)) inputs.set(batch, tf.randomUniform([batch, 224, 224, 3])); // NHWC: the models' own layout
      const x = inputs.get(batch);
      const t0 = performance.now();
      const y = model.predict(x);
      await y.data();
      const ms = performance.now() - t0;
      y.dispose();
      return ms;
    },
    async close() {
      for (const m of models.values()) m.dispose();
      tf.dispose([...inputs.values()]);
      if (backend === 'wasm') tf.removeBackend('wasm'); // else the wasm worker threads keep the process alive
    },
  };
}

async function ortEngine(threads) {
  const ort = (await import('onnxruntime-node')).default;
  const sessions = new Map();
  for (const arch of archs) {
    const file = path.join(values.onnx, `${arch.onnx}.onnx`);
    sessions.set(
      arch.ours,
      await ort.InferenceSession.create(file, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      }),
    );
  }
  const inputs = new Map();
  const version = ort.env?.versions?.node ?? ort.env?.versions?.common ?? 'unknown';
  return {
    info: { name: 'onnxruntime-node', threads, version },
    async run(arch, batch) {
      const session = sessions.get(arch);
      if (!inputs.has(batch)) {
        const data = new Float32Array(batch * 3 * 224 * 224).map(() => Math.random());
        inputs.set(batch, new ort.Tensor('float32', data, [batch, 3, 224, 224])); // NCHW: the ONNX model's layout
      }
      const t0 = performance.now();
      const out = await session.run({ [session.inputNames[0]]: inputs.get(batch) });
      const ms = performance.now() - t0;
      for (const t of Object.values(out)) t.dispose?.();
      return ms;
    },
    async close() {
      for (const s of sessions.values()) await s.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: start the children, interleave their runs, print the table.

function startWorker(spec, script = fileURLToPath(import.meta.url)) {
  // The baseline's own copy of this script may predate --archs: it builds every model and runs the ones asked for.
  const own = script === fileURLToPath(import.meta.url);
  const child = fork(script, ['--worker', spec, ...(values.onnx ? ['--onnx', values.onnx] : []), ...(own ? ['--archs', values.archs] : [])], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = [];
  child.on('message', (msg) => waiting.shift()?.(msg));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w({ error: `worker ${spec} exited with code ${code}` });
  });
  const next = () => new Promise((resolve) => waiting.push(resolve));
  const ready = next().then((msg) => {
    if (msg.error) throw new Error(msg.error);
    return msg.info;
  });
  return {
    spec,
    ready,
    async run(arch, batch) {
      child.send({ arch, batch });
      const msg = await next();
      if (msg.error) throw new Error(`${spec}: ${msg.error}`);
      return msg.ms;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ exit: true });
      await exited;
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function parent() {
  if (values.onnx === undefined) throw new Error('usage: resnext50.mjs --onnx DIR (from tools/fixtures/export_onnx.py)');
  const list = (s) => (s === '' ? [] : s.split(',').map(Number));
  const batches = list(values.batches);
  const cpuRuns = Number(values['cpu-runs']);
  const warmup = Number(values.warmup);
  const loads = [os.loadavg()[0]];
  const started = new Date();

  // Started one after the other so model building does not overlap.
  const workers = [];
  const relaxedModes = { on: [true], off: [false], both: [false, true] }[values['relaxed-simd']];
  if (relaxedModes === undefined) throw new Error(`--relaxed-simd must be on, off or both, got ${values['relaxed-simd']}`);
  const nativeModes = { on: [true], off: [false], both: [false, true] }[values.native];
  if (nativeModes === undefined) throw new Error(`--native must be on, off or both, got ${values.native}`);
  for (const t of list(values['wasm-threads'])) {
    for (const [relaxed, native] of relaxedModes.flatMap((r) => nativeModes.map((n) => [r, n]))) {
      const key = `wasm${relaxed ? '+fma' : ''}${native ? '' : ':nonative'}/${t}`;
      const spec = `tfjs:wasm:${t}${relaxed ? ':relaxed' : ''}${native ? '' : ':nonative'}`;
      workers.push({ key, backend: relaxed ? 'wasm+fma' : 'wasm', threads: t, w: startWorker(spec) });
      if (values.baseline !== undefined) {
        const script = path.resolve(values.baseline, 'tools/bench/resnext50.mjs');
        workers.push({ key: `${key}@base`, backend: `${relaxed ? 'wasm+fma' : 'wasm'} (baseline)`, threads: t, w: startWorker(spec, script) });
      }
    }
  }
  for (const t of list(values['ort-threads'])) workers.push({ key: `ort/${t}`, backend: 'onnxruntime-node', threads: t, w: startWorker(`ort:${t}`) });
  if (cpuRuns > 0 && batches.includes(1)) workers.push({ key: 'cpu/1', backend: 'cpu', threads: 1, w: startWorker('tfjs:cpu:1') });
  for (const entry of workers) entry.info = await entry.w.ready;

  const samples = new Map(); // `${key}|${arch}|${batch}` → ms[]
  for (const batch of batches) {
    const items = [];
    for (const entry of workers) {
      for (const arch of archs) {
        if (entry.backend === 'cpu' && (batch !== 1 || arch.ours !== 'resnext50_32x4d')) continue;
        items.push({ entry, arch, id: `${entry.key}|${arch.ours}|${batch}` });
      }
    }
    for (const item of items) {
      samples.set(item.id, []);
      const n = item.entry.backend === 'cpu' ? 1 : warmup;
      for (let i = 0; i < n; i++) await item.entry.w.run(item.arch.ours, batch);
    }
    const rounds = Number(batch === 1 ? values.rounds : values.rounds8);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < items.length; i++) {
        const item = items[(i + round) % items.length]; // rotate: nobody always goes first
        if (item.entry.backend === 'cpu' && round >= cpuRuns) continue;
        await sleep(100); // let the previous process' threads go idle (onnxruntime spins briefly)
        samples.get(item.id).push(await item.entry.w.run(item.arch.ours, batch));
      }
      loads.push(os.loadavg()[0]);
    }
  }
  for (const entry of workers) await entry.w.stop();
  report(workers, samples, batches, loads, started);
}

function report(workers, samples, batches, loads, started) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const ort = workers.find((e) => e.backend === 'onnxruntime-node');
  console.log(
    `${cpu}, ${os.cpus().length} cores, Node ${process.version}, onnxruntime-node ${ort?.info.version ?? '-'}, ` +
      `${started.toISOString().slice(0, 16)}Z; 1-min load average ${loads[0].toFixed(2)} at start, ` +
      `max ${Math.max(...loads).toFixed(2)}, ${loads.at(-1).toFixed(2)} at end (this benchmark adds up to ~1-2 itself).`,
  );
  for (const e of workers) {
    if (e.info.fold === undefined) continue;
    for (const [arch, s] of Object.entries(e.info.fold)) {
      const err = s.foldMaxRelError === undefined ? 'not checked' : s.foldMaxRelError.toExponential(1);
      console.log(
        `${e.key} ${arch}: BN layers ${s.batchNormsBefore} → ${s.batchNormsAfter}, ReLU layers ${s.reluLayersBefore} → ` +
          `${s.reluLayersAfter} (${s.convsWithFusedRelu} convs with fused ReLU), ${s.groupConvs} GroupConv2D; ` +
          `folded vs unfolded max rel. error ${err}`,
      );
    }
  }
  console.log('');
  console.log('| model | batch | backend / threads | median ms | min–max ms | runs | img/s | ÷ onnxruntime-node (same threads) | grouped-conv tax |');
  console.log('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const batch of batches) {
    for (const arch of archs) {
      for (const e of workers) {
        const ts = samples.get(`${e.key}|${arch.ours}|${batch}`);
        if (ts === undefined || ts.length === 0) continue;
        const m = median(ts);
        // cpu is single-threaded JavaScript: compared with onnxruntime-node on 1 thread.
        const peer = samples.get(`ort/${e.threads}|${arch.ours}|${batch}`);
        const ratio = e.backend === 'onnxruntime-node' || peer === undefined ? '—' : `${(m / median(peer)).toFixed(2)}×`;
        const rx = samples.get(`${e.key}|resnext50_32x4d|${batch}`);
        const rn = samples.get(`${e.key}|resnext50_1x64d|${batch}`);
        const tax = arch.ours === 'resnext50_32x4d' && rx?.length && rn?.length ? (median(rx) / median(rn)).toFixed(2) : '';
        // `+native`: @resnext/layers ran the 1×1 convolutions on its native (AVX2) kernels.
        const name = e.backend === 'onnxruntime-node' ? `onnxruntime-node / ${e.threads}` : `${e.backend}${e.info.native ? '+native' : ''} / ${e.info.threads ?? e.threads}`;
        console.log(
          `| ${arch.label} | ${batch} | ${name} | ${m.toFixed(1)} | ${Math.min(...ts).toFixed(1)}–${Math.max(...ts).toFixed(1)} | ` +
            `${ts.length} | ${((1000 * batch) / m).toFixed(1)} | ${ratio} | ${tax} |`,
        );
      }
    }
  }
}
