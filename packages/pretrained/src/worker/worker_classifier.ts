/** Page side: the handle `loadInWorker` returns. */
import type * as tf from '@tensorflow/tfjs-core';
import type { Prediction } from '../classifier/classifier.js';
import type { ClassifierMeta } from '../classifier/classifier_meta.js';
import { prepareImage, type WorkerImageInput } from './image_transfer.js';
import type { WireLoaded, WorkerBackendReport, WorkerMemory } from './protocol.js';
import type { WorkerChannel } from './worker_channel.js';
import { WorkerError } from './worker_error.js';

type Shape4 = [number, number, number, number];

function isTensor(value: unknown): value is tf.Tensor4D {
  // Checked by shape, not instanceof: the page's tfjs-core may be another copy than this package's.
  const t = value as Partial<tf.Tensor> | null;
  return typeof t === 'object' && t !== null && Array.isArray(t.shape) && typeof t.data === 'function' && typeof t.dtype === 'string';
}

/**
 * A classifier running in a Web Worker (see `loadInWorker`). Calls may overlap: each is answered
 * by id, and the worker runs them one after another in call order.
 */
export class WorkerClassifier {
  /** The weights' record: origin, license, metrics, preprocessing; for `weights` given, that checkpoint (as `load`'s `meta`). */
  readonly meta: ClassifierMeta;
  /** Class names, index = output index. */
  readonly labels: readonly string[];
  /** What `useBackend` selected inside the worker, and why. */
  readonly backend: WorkerBackendReport;
  private disposing: Promise<void> | undefined;
  // Calls not yet answered, including those still preparing their message on the page (reading a
  // DOM image takes a task or more): dispose waits for them, so they are answered, not cut off.
  private readonly inflight = new Set<Promise<unknown>>();

  /** Made by `loadInWorker`. */
  constructor(
    private readonly channel: WorkerChannel,
    loaded: WireLoaded,
  ) {
    this.meta = loaded.meta;
    this.labels = loaded.labels;
    this.backend = loaded.backend;
  }

  /** Runs a call unless disposed, and keeps it in {@link inflight} until it settles. */
  private track<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.disposing !== undefined) {
      return Promise.reject(new WorkerError({ reason: 'disposed', problem: `${method}: this worker classifier was disposed`, workerUrl: this.channel.workerUrl }));
    }
    const promise = call();
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /**
   * The `topk` most probable classes of one image, most probable first — what `classify` of a
   * classifier from `load` returns for the same pixels on the same backend. DOM sources are read
   * into an `ImageBitmap` on the page first; bytes, `ArrayBuffer`s and `ImageBitmap`s are
   * transferred (see {@link WorkerImageInput}).
   */
  classify(image: WorkerImageInput, topk = 5): Promise<Prediction[]> {
    return this.track('classify', async () => {
      if (!Number.isInteger(topk) || topk < 1) throw new RangeError(`classify: topk must be a positive integer, got ${topk}`);
      const { image: wire, transfer } = await prepareImage(image);
      return this.channel.call<'classify'>({ type: 'classify', image: wire, topk }, transfer);
    });
  }

  /**
   * Logits `[batch, classes]` of a preprocessed NHWC batch (e.g. from `preprocess`): a
   * `Float32Array` with its `shape`, or a `Tensor4D` (read on the page; the caller still owns it).
   * The values are copied to the worker; the caller's array is left as it is.
   */
  infer(batch: Float32Array | tf.Tensor4D, shape?: Shape4): Promise<{ logits: Float32Array; shape: [number, number] }> {
    return this.track('infer', () => this.sendInfer(batch, shape));
  }

  private async sendInfer(batch: Float32Array | tf.Tensor4D, shape?: Shape4): Promise<{ logits: Float32Array; shape: [number, number] }> {
    let values: Float32Array;
    let dims: Shape4;
    if (isTensor(batch)) {
      if (batch.rank !== 4) throw new RangeError(`infer: the batch must be a Tensor4D, got rank ${batch.rank}`);
      values = Float32Array.from(await batch.data());
      dims = batch.shape;
    } else if (batch instanceof Float32Array) {
      if (shape === undefined) throw new TypeError('infer: a Float32Array batch needs its shape [batch, height, width, channels]');
      values = batch;
      dims = [...shape];
    } else {
      throw new TypeError('infer: the batch must be a Float32Array (with its shape) or a Tensor4D');
    }
    return this.channel.call<'infer'>({ type: 'infer', batch: values, shape: dims });
  }

  /**
   * `tf.memory()` inside the worker (tensor count and bytes): for leak checks and diagnostics.
   * The page's own `tf.memory()` does not see the worker's tensors.
   */
  memory(): Promise<WorkerMemory> {
    return this.track('memory', () => this.channel.call<'memory'>({ type: 'memory' }));
  }

  /**
   * Frees the model in the worker, then terminates the worker. Calls made before wait for their
   * answer; calls after reject with a `WorkerError` (`reason: 'disposed'`). Calling it again
   * returns the same promise.
   */
  dispose(): Promise<void> {
    const before = [...this.inflight];
    this.disposing ??= Promise.allSettled(before)
      .then(() => this.channel.call<'dispose'>({ type: 'dispose' }))
      .then(
        () => undefined,
        // The worker is terminated below either way; a failed free inside it leaks nothing then.
        () => undefined,
      )
      .finally(() => this.channel.close(new WorkerError({ reason: 'disposed', problem: 'this worker classifier was disposed', workerUrl: this.channel.workerUrl })));
    return this.disposing;
  }
}
