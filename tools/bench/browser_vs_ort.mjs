#!/usr/bin/env node
// ResNeXt-50 32x4d, batch 1, 224², in one cross-origin isolated page of Debian's headless Chromium:
// ours (`createModel('resnext50_32x4d')` + `foldBatchNorm`, wasm through `useBackend('wasm',
// { threads })`) on the page's main thread and in a module Web Worker the page starts, against
// onnxruntime-web (wasm EP, SIMD threaded build, `ort.env.wasm.numThreads`) on torchvision's
// resnext50_32x4d exported to ONNX (BN folded), on the main thread and in a module Web Worker too.
// The browser side is browser_vs_ort_page.mjs.
//
// One fresh page per thread count (onnxruntime-web fixes its threads when its wasm starts). Where
// the thread count exceeds the machine's cores, the page reports that many
// (`Emulation.setHardwareConcurrencyOverride`): the threads then oversubscribe the cores. Every
// engine is warmed up (ours until its kernel pool is up: its output bits change when the 1×1
// convolutions move to our kernel), then the engines take turns, one timed run each per round,
// the order rotating every round. Prints a dated markdown table: medians, min–max, ours ÷
// onnxruntime-web, and the worker path's speed-up from 1 to 2 threads.
//
// Usage (after `npx nx run-many -t build`; the ONNX file from
// `/usr/bin/python3 tools/fixtures/export_onnx.py DIR`, never committed):
//   node tools/bench/browser_vs_ort.mjs --onnx DIR [--threads 1,2,4] [--rounds 10] [--warmup 3]
// On a shared machine:
//   setsid bash -c 'echo -15 > /proc/$$/autogroup; node tools/bench/browser_vs_ort.mjs --onnx DIR'
/* global window -- Node global, and the page's window in page callbacks */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '@resnext/backends';
import { launchChromium, startPageServer } from './page_server.mjs';

const { values } = parseArgs({
  options: {
    onnx: { type: 'string' },
    threads: { type: 'string', default: '1,2,4' },
    rounds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    // The most warm-up runs ours gets for its kernel pool to come up.
    'pool-runs': { type: 'string', default: '40' },
  },
});
if (values.onnx === undefined) throw new Error('usage: browser_vs_ort.mjs --onnx DIR (from tools/fixtures/export_onnx.py)');
const ONNX_FILE = path.join(values.onnx, 'resnext50_32x4d.onnx');
const MODEL_URL = '/bench-model/resnext50_32x4d.onnx';

const ENGINES = [
  { key: 'ours-main', label: 'ours, main thread', kind: 'ours', where: 'main' },
  { key: 'ours-worker', label: 'ours, Web Worker', kind: 'ours', where: 'worker' },
  { key: 'ort-main', label: 'onnxruntime-web, main thread', kind: 'ort', where: 'main' },
  { key: 'ort-worker', label: 'onnxruntime-web, Web Worker', kind: 'ort', where: 'worker' },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One page with every engine on `threads` threads: warm-up, then `rounds` interleaved rounds. */
async function measure(browser, url, threads) {
  const page = await browser.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('console', (msg) => msg.type() === 'error' && console.error('page console:', msg.text()));
  page.on('crash', () => console.error(`the page crashed (${threads} threads)`));
  const cores = os.cpus().length;
  if (threads > cores) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: threads });
  }
  await page.goto(url);
  await page.waitForFunction(() => window.bench !== undefined, null, { timeout: 180_000 });
  if (!(await page.evaluate(() => window.crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
  const call = (key, method, ...args) => page.evaluate(([k, m, a]) => window.bench.call(k, m, ...a), [key, method, args]);
  const rows = [];
  for (const e of ENGINES) {
    const args = e.kind === 'ours' ? [threads] : [threads, MODEL_URL];
    console.error(`${threads} threads: starting ${e.label}`);
    const info = await page.evaluate(([k, kind, where, a]) => window.bench.start(k, kind, where, ...a), [e.key, e.kind, e.where, args]);
    rows.push({ ...e, threads, info, times: [] });
  }
  for (const row of rows) {
    row.warm = await call(row.key, 'warmUp', Number(values.warmup), Number(values['pool-runs']));
    console.error(`${threads} threads: ${row.label} warmed up`);
  }
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[(i + round) % rows.length]; // rotate: nobody always goes first
      await sleep(100); // let the previous engine's threads go idle (onnxruntime spins briefly)
      row.times.push(await call(row.key, 'run'));
    }
  }
  for (const row of rows) row.check = await call(row.key, 'finish');
  await page.close();
  return rows;
}

function report(rows, started, browserVersion, loads) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const cores = os.cpus().length;
  const ortVersion = rows.find((r) => r.kind === 'ort')?.info.version ?? 'unknown';
  const med = (key, t) => {
    const r = rows.find((x) => x.key === key && x.threads === t);
    return r === undefined ? undefined : median(r.times);
  };
  console.log(`### ResNeXt-50 in Chromium against onnxruntime-web (${started.toISOString().slice(0, 16)}Z)\n`);
  console.log(
    `Machine: ${cpu}, ${cores} cores; Chromium ${browserVersion} headless; onnxruntime-web ${ortVersion}; ` +
      `1-min load average ${loads[0].toFixed(2)} at start, max ${Math.max(...loads).toFixed(2)}.\n`,
  );
  console.log(
    `Method: \`node tools/bench/browser_vs_ort.mjs --rounds ${values.rounds} --warmup ${values.warmup}\`. ResNeXt-50 32x4d, ` +
      'batch 1, 224², random weights, BN folded (ours: `foldBatchNorm`; ONNX: torch exporter, eval mode). One ' +
      'cross-origin isolated page per thread count holds all four engines; ours runs `useBackend(\'wasm\', { threads, ' +
      'importer })`, onnxruntime-web its wasm EP (`ort.wasm.min.mjs`, SIMD threaded build, `numThreads`). Warm-up: ' +
      `${values.warmup} runs each; ours until its kernel pool is up (its output bits change). Then ` +
      `${values.rounds} rounds, one timed run per engine per round, order rotating, 100 ms pause between runs; each ` +
      `engine times its own run to the output read back. Thread counts above ${cores} run with the page's ` +
      `navigator.hardwareConcurrency overridden to that count (DevTools protocol; its Web Workers still report ${cores}) ` +
      `and oversubscribe the ${cores} cores.\n`,
  );
  console.log(
    '| threads | path | median ms | min–max ms | ÷ ORT-web main thread | ÷ ORT-web worker | first run ms | ' +
      'hardwareConcurrency | pool up after run | outputs finite | tensors leaked |',
  );
  console.log('| ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | ---: |');
  for (const r of rows) {
    const m = median(r.times);
    const ratio = (key) => (r.kind === 'ours' ? `${(m / med(key, r.threads)).toFixed(2)}×` : '—');
    const pool = r.warm.poolUpAfter === null ? '—' : (r.warm.poolUpAfter ?? `not up after ${values['pool-runs']}`);
    console.log(
      `| ${r.info.threads} | ${r.label} | ${m.toFixed(1)} | ${Math.min(...r.times).toFixed(1)}–${Math.max(...r.times).toFixed(1)} | ` +
        `${ratio('ort-main')} | ${ratio('ort-worker')} | ${r.warm.firstMs.toFixed(0)} | ${r.info.cores} | ${pool} | ` +
        `${r.check.finite ? 'yes' : '**no**'} | ${r.check.leaked ?? '—'} |`,
    );
  }
  console.log('');
  const ratios = rows.filter((r) => r.kind === 'ours').map((r) => median(r.times) / med('ort-main', r.threads));
  const worst = Math.max(...ratios);
  console.log(`Target ours ≤ 0.8× ORT-web (main thread) at every thread count: worst ${worst.toFixed(2)}× — ${worst <= 0.8 ? 'met' : 'missed'}.`);
  const [w1, w2] = [med('ours-worker', 1), med('ours-worker', 2)];
  if (w1 !== undefined && w2 !== undefined) {
    const up = w1 / w2;
    console.log(`Target our worker 1 → 2 threads ≥ 1.4× faster: ${up.toFixed(2)}× — ${up >= 1.4 ? 'met' : 'missed'}.`);
  }
}

const started = new Date();
const loads = [os.loadavg()[0]];
const server = await startPageServer(`import '/tools/bench/browser_vs_ort_page.mjs';`, {
  headers: CROSS_ORIGIN_ISOLATION_HEADERS,
  files: { [MODEL_URL]: ONNX_FILE },
});
const browser = await launchChromium();
try {
  const rows = [];
  for (const t of values.threads.split(',').map(Number)) {
    rows.push(...(await measure(browser, server.resolvedUrls.local[0], t)));
    loads.push(os.loadavg()[0]);
  }
  report(rows, started, browser.version(), loads);
} finally {
  await browser.close();
  await server.close();
}
