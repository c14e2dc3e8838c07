/**
 * `loadInWorker`: a classifier whose model lives in a Web Worker, so loading and inference never
 * block the page. Page side only; the worker side is `worker_main.ts`.
 */
import type { BackendRequest } from '@resnext/backends';
import type { DownloadProgress, FetchWeightsOptions } from '../download/options.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import { resolveLoadArguments } from '../classifier/load_arguments.js';
import { wireLoadOptions } from './wire_options.js';
import { WorkerChannel, type WorkerLike } from './worker_channel.js';
import { WorkerClassifier } from './worker_classifier.js';
import { WorkerError } from './worker_error.js';

/** Options of {@link loadInWorker}. Everything except the callbacks and `signal` is sent to the worker. */
export interface WorkerLoadOptions extends Pick<FetchWeightsOptions, 'offline' | 'localFilesOnly' | 'mirror' | 'timeoutMs' | 'deadlineMs' | 'maxBytes' | 'onWarning'> {
  /** `arch` (its default weights) or `arch.tag`, as for `load`. Default `resnext50_32x4d`. */
  model?: string;
  /**
   * Use this checkpoint instead of the record's sources: a URL (fetched inside the worker; relative
   * URLs are resolved against the page), or .safetensors / .pth bytes, an `ArrayBuffer` or a `Blob`
   * (a `File`). Bytes and `ArrayBuffer`s are transferred: the caller's copy is detached.
   */
  weights?: string | URL | Uint8Array | ArrayBuffer | Blob;
  /** Weights not in the registry: their record, as for `load`. */
  record?: WeightsRecord;
  /** Class names; default from the record. */
  labels?: readonly string[];
  /** Fold BatchNorm into the convolutions. Default true. */
  foldBatchNorm?: boolean;
  /** Refuse NaN/Inf weights and negative BatchNorm variances, as for `load`. Default true. */
  checkValues?: boolean;
  /** Run one inference while loading, so the first call is not slow. Default true. */
  warmup?: boolean;
  /** The backend the worker selects with `useBackend`. Default `'auto'` (webgpu > webgl > wasm > cpu). */
  backend?: BackendRequest;
  /** wasm: threads inside the worker (the worker's own thread included); more than 1 needs a cross-origin isolated page. */
  threads?: number;
  /** wasm: where tfjs-backend-wasm's `.wasm` binaries are served, as for `useBackend` (relative URLs are resolved against the page). */
  wasmPaths?: string | Record<string, string>;
  /** Download progress of the weights, forwarded from the worker. */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * The worker script: a module built by the app from `@resnext/pretrained/dist/worker/worker_main.js`,
   * for bundlers that do not handle `new Worker(new URL(…, import.meta.url))`. Default: this
   * package's worker module, found by that pattern (Vite and webpack 5 bundle it by themselves).
   */
  workerUrl?: string | URL;
  /**
   * A worker the app has started on a script of its own that calls `serveClassifier()` from
   * `@resnext/pretrained/worker/serve` (to bundle only some backends, say). It becomes the
   * classifier's: `dispose` terminates it. Not together with `workerUrl`.
   */
  worker?: Worker;
  /** Fail when the worker script has not started within this many ms (0: wait forever). Default 60,000. */
  startTimeoutMs?: number;
  /** Cancels the load: the worker is terminated and the call rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Default of {@link WorkerLoadOptions.startTimeoutMs}: generous, since a dev server may serve the worker's modules one by one. */
const DEFAULT_START_TIMEOUT_MS = 60_000;

/** What a worker is called in messages when the package's own module is used. */
const DEFAULT_WORKER_NAME = '@resnext/pretrained/dist/worker/worker_main.js';

function createWorker({ workerUrl, worker: given }: WorkerLoadOptions): { worker: WorkerLike; url: string } {
  if (given !== undefined) {
    if (workerUrl !== undefined) throw new TypeError('loadInWorker: pass either worker or workerUrl, not both');
    return { worker: given, url: 'the worker passed to loadInWorker' };
  }
  if (typeof Worker !== 'function') {
    throw new WorkerError({ reason: 'start-failed', problem: 'loadInWorker needs Web Workers (a browser); in Node use load()' });
  }
  const url = workerUrl === undefined ? DEFAULT_WORKER_NAME : new URL(workerUrl, globalThis.location?.href).href;
  try {
    // The default is written out in this form, not through a variable (nor repeated elsewhere), so
    // that bundlers recognise it and emit the worker module as its own chunk.
    const worker = workerUrl === undefined ? new Worker(new URL('./worker_main.js', import.meta.url), { type: 'module' }) : new Worker(url, { type: 'module' });
    return { worker, url };
  } catch (cause) {
    // A URL of another origin (SecurityError) or one the browser cannot parse.
    throw new WorkerError({ reason: 'start-failed', problem: `classifier worker ${url} could not be created (${String(cause)})`, workerUrl: url, cause });
  }
}

/**
 * Loads a pretrained ResNeXt classifier inside a Web Worker: the worker selects its backend with
 * `useBackend(options.backend ?? 'auto', { threads, wasmPaths })`, downloads or reads the weights,
 * builds and warms up the model; the page only sends images and receives predictions. Browsers only.
 *
 * Errors of the work come back as their own classes (`DownloadError`, `IntegrityError`,
 * `WeightsFormatError`, `StateDictMismatchError`, `ImageDecodeError`, `BackendUnavailableError`, …);
 * a worker that cannot start rejects with a {@link WorkerError} (`reason: 'start-failed'`).
 *
 * @param model - `arch` (its default weights) or `arch.tag`, as for `load`.
 * @param options - everything else of {@link WorkerLoadOptions}.
 * @throws TypeError when `options` is not an options object, or names a `model` too.
 *
 * @example
 * ```ts
 * import { loadInWorker } from '@resnext/pretrained/worker';
 *
 * const classifier = await loadInWorker({ model: 'resnext_fmnist', backend: 'wasm' });
 * console.log(classifier.backend.name, await classifier.classify(document.querySelector('img')!, 3));
 * await classifier.dispose();
 * ```
 */
export function loadInWorker(model: string, options?: Omit<WorkerLoadOptions, 'model'>): Promise<WorkerClassifier>;
/**
 * Loads a pretrained ResNeXt classifier inside a Web Worker, described by one options object
 * (`model` inside it; default `resnext50_32x4d`). See the `(model, options)` form.
 *
 * @throws TypeError when a second argument is given.
 */
export function loadInWorker(options?: WorkerLoadOptions): Promise<WorkerClassifier>;
export async function loadInWorker(modelOrOptions?: string | WorkerLoadOptions, moreOptions?: Omit<WorkerLoadOptions, 'model'>): Promise<WorkerClassifier> {
  const options = resolveLoadArguments<WorkerLoadOptions>('loadInWorker', modelOrOptions, moreOptions);
  options.signal?.throwIfAborted();
  // Prepared first: a weights URL that does not parse should fail before a worker is started.
  const { options: wire, transfer } = wireLoadOptions(options);
  const { worker, url } = createWorker(options);
  const channel = new WorkerChannel(worker, url, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  const abort = () => channel.close(new WorkerError({ reason: 'disposed', problem: 'loadInWorker was cancelled', workerUrl: url }));
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await channel.start();
    const loaded = await channel.call<'load'>({ type: 'load', options: wire }, transfer, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    });
    return new WorkerClassifier(channel, loaded);
  } catch (error) {
    channel.close(new WorkerError({ reason: 'disposed', problem: 'the classifier worker was terminated because loading failed', workerUrl: url }));
    options.signal?.throwIfAborted();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
