#!/usr/bin/env node
// ResNeXt-50 on the path a user takes, against onnxruntime-node in the same process: this
// process runs `useBackend('auto')`, `load({ model, weights })` with a torchvision checkpoint
// (.pth or .safetensors, full size) and times `classifier.infer(batch)` up to its logits read
// back; an onnxruntime-node session (intra-op threads as given) on the ONNX export of the same
// architecture runs alternately with it, 100 ms apart, so load from other processes hits both alike.
// Prints what 'auto' chose, then median (min–max) of each and their ratio.
//
// Usage (after `npx nx run-many -t build`; ONNX files from tools/fixtures/export_onnx.py):
//   node tools/bench/user_path.mjs --weights FILE.pth --onnx DIR [--model resnext50_32x4d] [--batch 1]
//        [--rounds 20] [--warmup 3] [--ort-threads 2]
// On a shared machine: setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/user_path.mjs …'
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import { load } from '@resnext/pretrained';

const { values } = parseArgs({
  options: {
    weights: { type: 'string' },
    onnx: { type: 'string' },
    model: { type: 'string', default: 'resnext50_32x4d' },
    batch: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    'ort-threads': { type: 'string', default: '2' },
  },
});
if (values.weights === undefined || values.onnx === undefined) throw new Error('usage: user_path.mjs --weights FILE --onnx DIR');
const batch = Number(values.batch);
const loads = [os.loadavg()[0]];
const started = new Date();

const got = await useBackend('auto');
const classifier = await load({ model: values.model, weights: values.weights });
const x = tf.randomUniform([batch, 224, 224, 3]);
const ours = async () => {
  const t0 = performance.now();
  const y = classifier.infer(x);
  await y.data();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
};

const ort = (await import('onnxruntime-node')).default;
const session = await ort.InferenceSession.create(path.join(values.onnx, `${values.model === 'resnext50_32x4d' ? 'resnext50_32x4d' : values.model}.onnx`), {
  intraOpNumThreads: Number(values['ort-threads']),
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const input = new ort.Tensor('float32', new Float32Array(batch * 3 * 224 * 224).map(() => Math.random()), [batch, 3, 224, 224]);
const peer = async () => {
  const t0 = performance.now();
  const out = await session.run({ [session.inputNames[0]]: input });
  const ms = performance.now() - t0;
  for (const t of Object.values(out)) t.dispose?.();
  return ms;
};

for (let i = 0; i < Number(values.warmup); i++) {
  await ours();
  await peer();
}
const tensors = tf.memory().numTensors;
const times = { ours: [], ort: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  const order = round % 2 === 0 ? ['ours', 'ort'] : ['ort', 'ours'];
  for (const which of order) {
    await sleep(100);
    times[which].push(await (which === 'ours' ? ours() : peer()));
  }
  loads.push(os.loadavg()[0]);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const span = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log(
  `${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ${started.toISOString().slice(0, 16)}Z; ` +
    `useBackend('auto') → ${got.name}, ${got.threads} threads, relaxed SIMD ${got.relaxedSimd}, native kernels ${got.nativeKernels?.active ?? 'n/a'}; onnxruntime-node ${ort.env?.versions?.node ?? '?'} on ${values['ort-threads']} threads; ` +
    `1-min load average ${loads[0].toFixed(2)} at start, max ${Math.max(...loads).toFixed(2)}; tensors leaked ${tf.memory().numTensors - tensors}`,
);
console.log('| batch | ours infer ms | ours min–max | onnxruntime-node ms | ORT min–max | ours ÷ ORT |');
console.log('| ---: | ---: | --- | ---: | --- | ---: |');
console.log(`| ${batch} | ${median(times.ours).toFixed(1)} | ${span(times.ours)} | ${median(times.ort).toFixed(1)} | ${span(times.ort)} | ${(median(times.ours) / median(times.ort)).toFixed(2)}× |`);
classifier.dispose();
x.dispose();
await session.release();
tf.removeBackend(got.name);
