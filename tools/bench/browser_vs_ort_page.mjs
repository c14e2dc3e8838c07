// The browser side of browser_vs_ort.mjs: ResNeXt-50 32x4d batch 1 at 224², ours (@resnext/* on
// wasm through useBackend) and onnxruntime-web (wasm EP) on the same network exported from
// torchvision (BN folded). The page imports this module; so does each module Web Worker the page
// starts, where the same engines answer messages. Every engine times its own runs (performance.now()
// around one inference that ends with its output read back), so message latency is not counted.
/* global self, Worker -- this module runs in the page and its workers */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import '@resnext/backends/wasm'; // registers the wasm backend's loader with useBackend
import { foldBatchNorm } from '@resnext/layers';
import { createModel } from '@resnext/models';
// Literal imports of tfjs-backend-wasm's glue modules, so our loader (not tfjs') starts the backend.
import { browserImporter } from '../../packages/backends/src/testing/browser_importer.ts';

const IN_WORKER = typeof self.window === 'undefined';
/** onnxruntime-web's dist files as this page server serves them (root node_modules). */
const ORT_DIST = '/node_modules/onnxruntime-web/dist/';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether two outputs are bit for bit the same. */
const sameBits = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Ours: `createModel('resnext50_32x4d')` + `foldBatchNorm` on wasm with `threads` threads, NHWC input.
 * With 2+ threads (in a Web Worker and on the cross-origin isolated page's main thread alike) our
 * kernels move from 1 thread to the pool once its workers are up; the 1×1 convolutions then leave
 * XNNPACK for our kernel, which rounds differently: warmUp runs until the output's bits change (the
 * pool is up), yielding between runs so the workers can start.
 */
async function oursEngine(threads) {
  const info = await useBackend('wasm', { threads, importer: browserImporter });
  const model = foldBatchNorm(createModel('resnext50_32x4d'));
  const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 7);
  let tensors = 0;
  let finite = true;
  const once = async () => {
    const t0 = performance.now();
    const y = model.predict(x);
    const out = await y.data();
    const ms = performance.now() - t0;
    y.dispose();
    return { ms, out };
  };
  return {
    info: { threads: info.threads, relaxedSimd: info.relaxedSimd, cores: self.navigator.hardwareConcurrency },
    async warmUp(runs, maxRuns) {
      const expectPool = threads > 1;
      const first = await once();
      let poolUpAfter = expectPool ? undefined : null;
      for (let i = 1; i < maxRuns && (i < runs || poolUpAfter === undefined); i++) {
        await sleep(50);
        const { out } = await once();
        if (poolUpAfter === undefined && !sameBits(out, first.out)) poolUpAfter = i + 1;
      }
      tensors = tf.memory().numTensors;
      return { firstMs: first.ms, poolUpAfter };
    },
    async run() {
      const { ms, out } = await once();
      finite &&= out.every(Number.isFinite);
      return ms;
    },
    finish() {
      return { finite, leaked: tf.memory().numTensors - tensors };
    },
  };
}

/** onnxruntime-web's wasm EP (SIMD threaded build) with `threads` intra-op threads, NCHW input. */
async function ortEngine(threads, modelUrl) {
  // From the dist files as served, not pre-bundled by Vite: its pthread workers load this same module.
  const ort = await import(/* @vite-ignore */ `${ORT_DIST}ort.wasm.min.mjs`);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.wasmPaths = ORT_DIST;
  const session = await ort.InferenceSession.create(modelUrl, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const data = new Float32Array(3 * 224 * 224).map(() => Math.random());
  const input = new ort.Tensor('float32', data, [1, 3, 224, 224]);
  let finite = true;
  const once = async () => {
    const t0 = performance.now();
    const out = await session.run({ [session.inputNames[0]]: input });
    const ms = performance.now() - t0;
    const logits = Object.values(out);
    finite &&= logits.every((t) => t.data.every(Number.isFinite));
    for (const t of logits) t.dispose?.();
    return ms;
  };
  return {
    info: { threads: ort.env.wasm.numThreads, version: ort.env.versions?.web, cores: self.navigator.hardwareConcurrency },
    async warmUp(runs) {
      const firstMs = await once();
      for (let i = 1; i < runs; i++) await once();
      return { firstMs, poolUpAfter: null };
    },
    run: once,
    finish: () => ({ finite, leaked: null }),
  };
}

const ENGINES = { ours: oursEngine, ort: ortEngine };

/** Calls an engine's methods by message: `{ start: [kind, ...args] }`, then `{ call: [method, ...args] }`. */
function serve() {
  let engine;
  self.onmessage = async ({ data }) => {
    try {
      if (data.start) {
        const [kind, ...args] = data.start;
        engine = await ENGINES[kind](...args);
        self.postMessage({ result: engine.info });
      } else {
        const [method, ...args] = data.call;
        self.postMessage({ result: await engine[method](...args) });
      }
    } catch (error) {
      self.postMessage({ error: String(error?.stack ?? error) });
    }
  };
}

/** The same engine in a module Web Worker of this page, its methods answering by message. */
async function workerEngine(kind, ...args) {
  const worker = new Worker(new URL(import.meta.url), { type: 'module' });
  const ask = (message) =>
    new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.result));
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage(message);
    });
  const info = await ask({ start: [kind, ...args] });
  const call = (method) => (...a) => ask({ call: [method, ...a] });
  return { info, warmUp: call('warmUp'), run: call('run'), finish: call('finish') };
}

if (IN_WORKER) {
  serve();
} else {
  // The driver's handle: engines by key, each started on the main thread or in its own worker.
  const engines = new Map();
  self.bench = {
    async start(key, kind, where, ...args) {
      const engine = where === 'worker' ? await workerEngine(kind, ...args) : await ENGINES[kind](...args);
      engines.set(key, engine);
      return engine.info;
    },
    call: (key, method, ...args) => engines.get(key)[method](...args),
  };
}
