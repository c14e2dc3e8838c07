#!/usr/bin/env node
// The wasm FMA ceiling of the machine it runs on: tools/bench/fma_peak.c (12 independent f32x4
// relaxed_madd chains, no memory traffic) built with clang-16 + wasm-ld-16 (as tools/setup.sh
// installs) and run on 1 thread, then on N worker_threads at once. Prints GMAC/s (4 multiply-adds
// per f32x4 FMA): what our convolution kernels' GMAC/s are measured against in docs/benchmarks.md.
//
// Usage: node tools/bench/fma_peak.mjs [--threads 2]   (Node 20 needs relaxed SIMD switched on:
// this script sets --experimental-wasm-relaxed-simd for itself and its workers)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' } } });
const ITERATIONS = 100_000_000; // 4.8 G multiply-adds a run: about 0.2 s at the ceiling
const MACS = ITERATIONS * 12 * 4;

// Node 20 needs the flag; from Node 22 relaxed SIMD is on and the flag is gone (setting it prints an error).
const NEEDS_FLAG = Number(process.versions.node.split('.')[0]) < 22;
if (NEEDS_FLAG) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fma_peak.c');
const work = mkdtempSync(path.join(tmpdir(), 'fma-peak-'));
let bytes;
try {
  const object = path.join(work, 'fma_peak.o');
  const binary = path.join(work, 'fma_peak.wasm');
  execFileSync(process.env.CLANG ?? 'clang-16', ['--target=wasm32', '-O2', '-msimd128', '-mrelaxed-simd', '-ffreestanding', '-nostdlib', '-c', source, '-o', object]);
  execFileSync(process.env.WASM_LD ?? 'wasm-ld-16', ['--no-entry', '--export=fma_chains', object, '-o', binary]);
  bytes = readFileSync(binary);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const module = new WebAssembly.Module(bytes);

/**
 * GMAC/s of the best of 3 runs of `module`'s FMA chains on the calling thread. Plain JavaScript
 * without closures: its source is also the workers' (below).
 */
function measure(module, iterations, macs) {
  const { fma_chains } = new WebAssembly.Instance(module).exports;
  fma_chains(iterations / 10, 1); // compile and tier up
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    fma_chains(iterations, 1);
    best = Math.min(best, performance.now() - t0);
  }
  return macs / best / 1e6;
}

console.log(`1 thread: ${measure(module, ITERATIONS, MACS).toFixed(1)} GMAC/s`);
const threads = Number(values.threads);
const worker = `
const { parentPort, workerData } = require('node:worker_threads');
if (${NEEDS_FLAG}) require('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd');
${measure.toString()}
parentPort.postMessage(${measure.name}(workerData.module, ${ITERATIONS}, ${MACS}));
`;
const rates = await Promise.all(
  Array.from({ length: threads }, () => new Promise((resolve, reject) => {
    const w = new Worker(worker, { eval: true, workerData: { module } });
    w.once('message', resolve);
    w.once('error', reject);
  })),
);
console.log(`${threads} threads at once: ${rates.map((r) => r.toFixed(1)).join(' + ')} = ${rates.reduce((a, b) => a + b, 0).toFixed(1)} GMAC/s`);
