// The app every bundler builds: what a user's browser app does with ResNeXt.js, with each step's
// outputs reported on window.__result for the Node test to check against its references.
// Only the entries of the backends it uses are imported: webgpu is not installed in this app.
/* global window, location, fetch, URL, URLSearchParams -- browser globals; the repository's ESLint config declares no environment */
import '@resnext/backends/cpu';
import '@resnext/backends/wasm';
import '@resnext/backends/webgl';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@resnext/backends';
import { foldBatchNorm } from '@resnext/layers';
import { createModel } from '@resnext/models';
import { load } from '@resnext/pretrained';

const params = new URLSearchParams(location.search);
// esbuild does not emit the .wasm files: the test copies them and says where.
const wasmPaths = params.get('wasmPaths') ?? undefined;

/** A deterministic batch of two 28x28 grayscale images. */
function fmnistInput() {
  return tf.tensor4d(Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => Math.sin(i * 0.37) * 0.8), [2, 28, 28, 1]);
}

async function predict(model) {
  const x = fmnistInput();
  const y = model.predict(x);
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}

async function run() {
  const steps = {};
  const wasm = await useBackend('wasm', { threads: 2, wasmPaths });
  steps.wasm = { name: wasm.name, threads: wasm.threads, crossOriginIsolated: wasm.crossOriginIsolated };

  const model = createModel('resnext_fmnist', { numClasses: 10, inputShape: [28, 28, 1] });
  const folded = foldBatchNorm(model);
  model.dispose();
  steps.layers = folded.layers.map((layer) => layer.getClassName());
  steps.predictWasm = await predict(folded);
  await folded.save('indexeddb://bundler-test-model');
  folded.dispose();

  const reloaded = await tfl.loadLayersModel('indexeddb://bundler-test-model');
  steps.predictReloaded = await predict(reloaded);
  await useBackend('webgl');
  steps.predictWebgl = await predict(reloaded);
  await useBackend('cpu');
  steps.predictCpu = await predict(reloaded);
  reloaded.dispose();

  // A torchvision checkpoint served by the test, with the record and input it describes.
  await useBackend('wasm', { threads: 2, wasmPaths });
  const fixture = await (await fetch('/fixture/tiny_resnext.json')).json();
  const classifier = await load({
    record: fixture.record,
    config: fixture.config,
    weights: new URL('/fixture/tiny_resnext.safetensors', location.href),
  });
  const x = tf.tensor4d(fixture.input.values, fixture.input.shape);
  const logits = classifier.infer(x);
  steps.tinyLogits = Array.from(await logits.data());
  tf.dispose([x, logits]);
  classifier.dispose();

  // The Fashion-MNIST weights shipped in @resnext/pretrained, from a URL the app serves.
  const fmnist = await load({ model: 'resnext_fmnist', weights: new URL('/fixture/resnext_fmnist.safetensors', location.href) });
  const image = tf.tensor3d(Float32Array.from({ length: 28 * 28 }, (_, i) => (i % 28 > 9 && i % 28 < 18 ? 220 : 0)), [28, 28, 1], 'int32');
  steps.fmnistTop = (await fmnist.classify(image, 1))[0];
  image.dispose();
  fmnist.dispose();

  // Without weights: either found by the bundler, or an error that says how to pass them.
  try {
    const shipped = await load('resnext_fmnist');
    shipped.dispose();
    steps.shippedWeights = { loaded: true };
  } catch (error) {
    steps.shippedWeights = { loaded: false, name: error.name, message: error.message };
  }
  return steps;
}

run().then(
  (steps) => (window.__result = { ok: true, steps }),
  (error) => (window.__result = { ok: false, error: `${error.name}: ${error.message}\n${error.stack}` }),
);
