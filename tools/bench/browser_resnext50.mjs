#!/usr/bin/env node
// ResNeXt-50 32x4d inference end to end in Debian's headless Chromium, on each browser backend
// (wasm, webgl, webgpu) through `useBackend`: the BN-folded model, batch 1, 224², channels last,
// the way a page would run it. The page is cross-origin isolated (COOP/COEP), as wasm threads
// need. webgl and webgpu run on SwiftShader, a CPU rasterizer: those numbers say nothing about a
// real GPU. Prints a markdown table.
//
// Usage (from the repository root, after `npx nx run-many -t build`: the page imports the built
// packages):  node tools/bench/browser_resnext50.mjs [--backends wasm,webgl,webgpu] [--reps 10]
// On a shared machine: setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/browser_resnext50.mjs'
/* global window -- Node global, and the page's window in page callbacks */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { launchChromium, startPageServer } from './page_server.mjs';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '@resnext/backends';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,webgl,webgpu' },
    reps: { type: 'string', default: '10' },
  },
});

// Runs in the page: one backend per call; the model is built and folded on it, warmed up (shader
// compilation, weight packing), then timed, each run ending with `await data()`.
const PAGE_MODULE = `
import * as tf from '@tensorflow/tfjs-core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
// The loaders of the backends this page runs (a bundled app imports these entries too).
import '@resnext/backends/browser';
import { useBackend } from '@resnext/backends';
import { foldBatchNorm } from '@resnext/layers';
import { createModel } from '@resnext/models';

const wasmPaths = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
};

window.runBench = async (name, reps) => {
  const info = await useBackend(name, name === 'wasm' ? { wasmPaths, threads: navigator.hardwareConcurrency } : {});
  const model = foldBatchNorm(createModel('resnext50_32x4d'));
  const x = tf.randomUniform([1, 224, 224, 3]);
  const once = async () => {
    const t0 = performance.now();
    const y = model.predict(x);
    await y.data();
    y.dispose();
    return performance.now() - t0;
  };
  const first = await once();
  for (let i = 0; i < 2; i++) await once();
  const before = tf.memory().numTensors;
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  const leaked = tf.memory().numTensors - before;
  x.dispose();
  model.dispose();
  return { info: JSON.parse(JSON.stringify(info)), first, times, leaked };
};
`;

const sorted = (ts) => [...ts].sort((a, b) => a - b);

// wasm threads need SharedArrayBuffer: a cross-origin isolated page.
const server = await startPageServer(PAGE_MODULE, { headers: CROSS_ORIGIN_ISOLATION_HEADERS });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(server.resolvedUrls.local[0]);
  await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 180_000 });
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores; Chromium ${browser.version()} headless ` +
      `(webgl / webgpu on SwiftShader); ${new Date().toISOString().slice(0, 16)}Z. ResNeXt-50 32x4d, BN folded, batch 1, ` +
      `224², ${values.reps} timed runs after 3 warm-up runs, each ending with await data().\n`,
  );
  console.log('| backend | threads | relaxed SIMD | first run ms | median ms | min–max ms | img/s | tensors leaked |');
  console.log('| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |');
  for (const name of values.backends.split(',')) {
    // A fresh page per backend: each starts from a clean tfjs engine.
    await page.reload();
    await page.waitForFunction(() => typeof window.runBench === 'function', null, { timeout: 180_000 });
    const r = await page.evaluate(([b, reps]) => window.runBench(b, reps), [name, Number(values.reps)]);
    const s = sorted(r.times);
    const median = s[s.length >> 1];
    console.log(
      `| ${name} | ${r.info.threads ?? '—'} | ${r.info.relaxedSimd ?? '—'} | ${r.first.toFixed(0)} | ${median.toFixed(1)} | ` +
        `${s[0].toFixed(1)}–${s.at(-1).toFixed(1)} | ${(1000 / median).toFixed(2)} | ${r.leaked} |`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
