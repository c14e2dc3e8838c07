#!/usr/bin/env node
// Checkpoint loading benchmark: how long @resnext/pretrained takes to read a full-size ResNeXt-50
// 32x4d checkpoint (`readCheckpoint`) and to load it into a `createModel('resnext50_32x4d')` model
// (`loadWeights`, which reads the file again and maps every key onto the model), for .pth and
// .safetensors files, on the tfjs cpu backend.
//
// Method: each measurement runs in its own child process (fresh heap and JIT) that builds the model,
// reads the file into memory once (not timed), does one untimed warm-up load, then times `--reps`
// `readCheckpoint` calls and `--reps` `loadWeights` calls. Several builds of the package can be
// compared (`--dist label=path/to/pretrained/dist`, e.g. a copy of the build before a change): the
// parent interleaves builds and formats in every round, rotating the order each round, so background
// load on a shared machine hits every configuration alike. Prints a markdown table of medians
// (min–max) per configuration and the ratio of each build to the first.
//
// Make the inputs once (random torchvision weights; never commit them):
//   /usr/bin/python3 -c "import torch, torchvision; torch.manual_seed(0); \
//     torch.save(torchvision.models.resnext50_32x4d().state_dict(), '/tmp/rx50.pth')"
//   node tools/bench/load_checkpoint.mjs --pth /tmp/rx50.pth --write-safetensors /tmp/rx50.safetensors
// Usage (after `npx nx run pretrained:build`):
//   node tools/bench/load_checkpoint.mjs --pth /tmp/rx50.pth --safetensors /tmp/rx50.safetensors
//        [--dist before=/tmp/pretrained-before/dist --dist after=packages/pretrained/dist]
//        [--rounds 5] [--reps 3]
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultDist = path.join(here, '../../packages/pretrained/dist');

async function importDist(dist) {
  return import(pathToFileURL(path.join(path.resolve(dist), 'index.js')).href);
}

/** Child: one configuration, timed. */
async function child({ dist, file, reps }) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const { createModel } = await import('@resnext/models');
  const pretrained = await importDist(dist);
  const model = createModel('resnext50_32x4d');
  const bytes = new Uint8Array(readFileSync(file));
  await pretrained.loadWeights(model, bytes);
  const read = [];
  const load = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    pretrained.readCheckpoint(bytes, file);
    read.push(performance.now() - t0);
  }
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await pretrained.loadWeights(model, bytes);
    load.push(performance.now() - t0);
  }
  process.send({ read, load, rssMb: process.memoryUsage().rss / 2 ** 20 });
  model.dispose();
}

function runChild(config) {
  return new Promise((resolve, reject) => {
    const p = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result;
    p.on('message', (m) => (result = m));
    p.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`child ${JSON.stringify(config)} exited ${code}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      pth: { type: 'string' },
      safetensors: { type: 'string' },
      'write-safetensors': { type: 'string' },
      dist: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '5' },
      reps: { type: 'string', default: '3' },
    },
  });
  if (values.child) return child(JSON.parse(values.child));
  if (values['write-safetensors']) {
    if (!values.pth) throw new Error('--write-safetensors needs --pth');
    const { readCheckpoint, writeSafetensors } = await importDist(values.dist?.[0]?.split('=')[1] ?? defaultDist);
    writeFileSync(values['write-safetensors'], writeSafetensors(readCheckpoint(new Uint8Array(readFileSync(values.pth)), values.pth)));
    console.log(`wrote ${values['write-safetensors']}`);
    return;
  }
  const dists = (values.dist ?? [`current=${defaultDist}`]).map((d) => {
    const at = d.indexOf('=');
    return at < 0 ? { label: d, dist: d } : { label: d.slice(0, at), dist: d.slice(at + 1) };
  });
  const files = [
    ...(values.pth ? [{ format: 'pth', file: values.pth }] : []),
    ...(values.safetensors ? [{ format: 'safetensors', file: values.safetensors }] : []),
  ];
  if (files.length === 0) throw new Error('give --pth and/or --safetensors');
  const configs = dists.flatMap((d) => files.map((f) => ({ ...d, ...f })));
  const results = new Map(configs.map((c) => [`${c.label} ${c.format}`, { read: [], load: [] }]));
  const rounds = Number(values.rounds);
  for (let r = 0; r < rounds; r++) {
    const order = configs.map((_, i) => configs[(i + r) % configs.length]);
    for (const c of order) {
      const m = await runChild({ dist: c.dist, file: c.file, reps: Number(values.reps) });
      const into = results.get(`${c.label} ${c.format}`);
      into.read.push(...m.read);
      into.load.push(...m.load);
    }
    console.error(`round ${r + 1}/${rounds} done`);
  }
  console.log('| build | format | readCheckpoint ms, median (min–max) | loadWeights ms, median (min–max) | loadWeights ratio to first build |');
  console.log('|---|---|---|---|---|');
  for (const c of configs) {
    const m = results.get(`${c.label} ${c.format}`);
    const base = results.get(`${dists[0].label} ${c.format}`);
    console.log(`| ${c.label} | ${c.format} | ${fmt(m.read)} | ${fmt(m.load)} | ${(median(m.load) / median(base.load)).toFixed(3)} |`);
  }
  console.log(`\n${rounds} rounds × ${values.reps} reps per configuration; node ${process.version}`);
}

await main();
