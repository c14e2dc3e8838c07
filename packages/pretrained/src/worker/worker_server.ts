/**
 * The worker's side of the protocol: selects the backend, loads the classifier, then serves
 * classify / infer requests one at a time. Independent of the worker global, so it runs in Node
 * tests against a stand-in endpoint too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type UseBackendResult } from '@resnext/backends';
import type { ResNeXtClassifier } from '../classifier/classifier.js';
import { load, type CheckpointSource } from '../classifier/load.js';
import type { DownloadProgress } from '../download/options.js';
import type { ImageInput } from '../preprocess/preprocess.js';
import { toWireError } from './error_wire.js';
import { fetchUrlWeights } from './fetch_url_weights.js';
import type { WireImage, WireLoadOptions, WireWeights, WorkerBackendReport, WorkerRequest, WorkerResponse, WorkerResults } from './protocol.js';
import { PROTOCOL, isWorkerHello, isWorkerRequest } from './protocol.js';

/** Where the server posts its answers: the worker global scope, or a stand-in in tests. */
export interface WorkerEndpoint {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
}

/** What the server calls to do the work (replaceable in tests). */
export interface WorkerServerDeps {
  load: typeof load;
  useBackend: typeof useBackend;
}

/** The server of one worker: pass it every message the worker receives. */
export interface WorkerServer {
  /** Handles one incoming message; anything that is not a message of the protocol is ignored. */
  receive(data: unknown): void;
  /** Resolves when every request received so far has been answered. */
  idle(): Promise<void>;
}

type Answer<K extends keyof WorkerResults> = { value: WorkerResults[K]; transfer: Transferable[] };

function backendReport(result: UseBackendResult): WorkerBackendReport {
  const report: WorkerBackendReport = {
    name: result.name,
    reason: result.reason,
    skipped: result.skipped.map((s) => ({ backend: s.backend, message: s.error.message })),
    warnings: [...result.warnings],
  };
  if (result.threads !== undefined) report.threads = result.threads;
  if (result.simd !== undefined) report.simd = result.simd;
  if (result.crossOriginIsolated !== undefined) report.crossOriginIsolated = result.crossOriginIsolated;
  return report;
}

/** Turns the weights the page sent into what `load` takes. */
async function checkpointOf(weights: WireWeights): Promise<CheckpointSource> {
  if (weights instanceof Uint8Array) return weights;
  if (typeof weights !== 'string') return new Uint8Array(await weights.arrayBuffer());
  // http(s) URLs and tfjs model.json go through load (download cache, integrity, progress);
  // load reads other strings as file paths, which a worker has none of: blob: and data: URLs are fetched here.
  if (/^https?:\/\//i.test(weights) || /model\.json([?#].*)?$/i.test(weights)) return weights;
  return fetchUrlWeights(weights);
}

function imageOf(image: WireImage): ImageInput | Promise<ImageInput> {
  switch (image.kind) {
    case 'bitmap':
      return image.bitmap;
    case 'bytes':
      return image.bytes;
    case 'blob':
      return image.blob.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    case 'pixels':
      return { data: image.data, width: image.width, height: image.height };
  }
}

function checkShape(batch: Float32Array, shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`infer: shape must be 4 positive integers [batch, height, width, channels], got [${shape.join(', ')}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== batch.length) throw new RangeError(`infer: shape [${shape.join(', ')}] holds ${size} values but the batch has ${batch.length}`);
  return shape as [number, number, number, number];
}

/**
 * Creates the server. Requests run one after another in arrival order, so `dispose` waits for the
 * calls sent before it, and two inferences never compete for the backend's threads.
 */
export function createWorkerServer(endpoint: WorkerEndpoint, deps: WorkerServerDeps = { load, useBackend }): WorkerServer {
  let classifier: ResNeXtClassifier | undefined;
  let queue: Promise<void> = Promise.resolve();

  const post = (message: WorkerResponse, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);

  function loaded(): ResNeXtClassifier {
    if (classifier === undefined) throw new Error('the worker has no classifier loaded (it was disposed, or its load failed)');
    return classifier;
  }

  async function loadClassifier(id: number, options: WireLoadOptions): Promise<Answer<'load'>> {
    if (classifier !== undefined) throw new Error('this worker already holds a classifier; call loadInWorker again for another');
    const backend = await deps.useBackend(options.backend, {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths }),
    });
    const weights = options.weights === undefined ? undefined : await checkpointOf(options.weights);
    classifier = await deps.load({
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(weights === undefined ? {} : { weights }),
      ...(options.record === undefined ? {} : { record: options.record }),
      ...(options.labels === undefined ? {} : { labels: options.labels }),
      ...(options.foldBatchNorm === undefined ? {} : { foldBatchNorm: options.foldBatchNorm }),
      ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
      ...(options.offline === undefined ? {} : { offline: options.offline }),
      ...(options.localFilesOnly === undefined ? {} : { localFilesOnly: options.localFilesOnly }),
      ...(options.mirror === undefined ? {} : { mirror: options.mirror }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      ...(options.checkValues === undefined ? {} : { checkValues: options.checkValues }),
      ...(options.progress ? { onProgress: (progress: DownloadProgress) => post({ type: 'progress', id, progress: { ...progress } }) } : {}),
      onWarning: (problem) => post({ type: 'warning', id, warning: toWireError(problem) }),
    });
    return { value: { meta: classifier.meta, labels: classifier.labels, backend: backendReport(backend) }, transfer: [] };
  }

  async function classify(image: WireImage, topk: number): Promise<Answer<'classify'>> {
    const model = loaded();
    try {
      return { value: await model.classify(await imageOf(image), topk), transfer: [] };
    } finally {
      // The bitmap was transferred to this worker for this call only.
      if (image.kind === 'bitmap') image.bitmap.close();
    }
  }

  async function infer(batch: Float32Array, shape: readonly number[]): Promise<Answer<'infer'>> {
    const model = loaded();
    const x = tf.tensor4d(batch, checkShape(batch, shape), 'float32');
    try {
      const y = model.infer(x);
      try {
        const logits = (await y.data()) as Float32Array;
        return { value: { logits, shape: y.shape }, transfer: [logits.buffer] };
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  function dispatch(request: WorkerRequest): Promise<Answer<keyof WorkerResults>> {
    switch (request.type) {
      case 'load':
        return loadClassifier(request.id, request.options);
      case 'classify':
        return classify(request.image, request.topk);
      case 'infer':
        return infer(request.batch, request.shape);
      case 'memory': {
        const { numTensors, numBytes, numDataBuffers } = tf.memory();
        return Promise.resolve({ value: { numTensors, numBytes, numDataBuffers }, transfer: [] });
      }
      case 'dispose':
        classifier?.dispose();
        classifier = undefined;
        return Promise.resolve({ value: null, transfer: [] });
    }
  }

  async function answer(request: WorkerRequest): Promise<void> {
    let result: Answer<keyof WorkerResults>;
    try {
      result = await dispatch(request);
    } catch (error) {
      post({ type: 'error', id: request.id, error: toWireError(error) });
      return;
    }
    try {
      post({ type: 'result', id: request.id, value: result.value }, result.transfer);
    } catch (error) {
      // A result the browser cannot clone must still answer the call.
      post({ type: 'error', id: request.id, error: toWireError(error) });
    }
  }

  return {
    receive(data) {
      // Answered at once, not queued: the page is waiting to know that this worker is up.
      if (isWorkerHello(data)) post({ type: 'ready', protocol: PROTOCOL });
      if (!isWorkerRequest(data)) return;
      queue = queue.then(() => answer(data));
    },
    idle: () => queue,
  };
}
