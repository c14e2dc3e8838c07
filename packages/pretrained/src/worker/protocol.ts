/**
 * The messages between a page and the classifier's worker. Every request carries an `id`; the
 * worker answers each with one `result` or `error` of the same id, after any number of `progress`
 * and `warning` messages for it. The worker posts `ready` when its module has been evaluated, and
 * again in answer to the page's `hello` (for a worker the app started earlier, whose first `ready`
 * nobody heard): that is how the page tells a worker that started from one that never will.
 */
import type { BackendRequest } from '@resnext/backends';
import type { DownloadProgress, Mirror } from '../download/options.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import type { Prediction } from '../classifier/classifier.js';
import type { ClassifierMeta } from '../classifier/classifier_meta.js';
import type { WireError } from './error_wire.js';

/** Names the protocol version, so a page and a worker script of different releases refuse each other clearly. */
export const PROTOCOL = 'resnext-pretrained-worker/1';

/** The weights as they cross to the worker: a URL string, bytes (transferred), or a Blob (cloned by reference). */
export type WireWeights = string | Uint8Array | Blob;

/** The load options that can cross to the worker. */
export interface WireLoadOptions {
  model?: string;
  weights?: WireWeights;
  record?: WeightsRecord;
  labels?: readonly string[];
  foldBatchNorm?: boolean;
  warmup?: boolean;
  backend: BackendRequest;
  threads?: number;
  wasmPaths?: string | Record<string, string>;
  offline?: boolean;
  localFilesOnly?: boolean;
  mirror?: Mirror;
  timeoutMs?: number;
  deadlineMs?: number;
  maxBytes?: number;
  checkValues?: boolean;
  /** Whether the page listens to download progress (the worker sends none otherwise). */
  progress: boolean;
}

/** An image as it crosses to the worker. */
export type WireImage =
  | { kind: 'bitmap'; bitmap: ImageBitmap }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'blob'; blob: Blob }
  | { kind: 'pixels'; data: Uint8ClampedArray | Uint8Array; width: number; height: number };

/** What `useBackend` chose inside the worker, as plain data. */
export interface WorkerBackendReport {
  /** The active backend, e.g. `wasm`, `webgl`, `webgpu`, `cpu`. */
  name: string;
  /** wasm: the threads XNNPACK runs on, the worker's own thread included. */
  threads?: number;
  /** wasm: whether the build is a SIMD one. */
  simd?: boolean;
  /** wasm: whether the page (and so the worker) is cross-origin isolated, which threads need. */
  crossOriginIsolated?: boolean;
  /** Why this backend: the request, or for `auto` the order and what was skipped. */
  reason: string;
  /** `auto` only: the backends tried before this one and why each was passed over. */
  skipped: { backend: string; message: string }[];
  /** `auto`: setup problems passed over on the way (a backend that failed to start, a fall back to cpu). */
  warnings: string[];
}

/** What a successful load answers. */
export interface WireLoaded {
  meta: ClassifierMeta;
  labels: readonly string[];
  backend: WorkerBackendReport;
}

/** `tf.memory()` inside the worker, the fields a leak check needs. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
}

/** The page's opening message; the worker answers `ready`. */
export interface WorkerHello {
  type: 'hello';
  protocol: string;
}

/** Requests, page → worker. */
export type WorkerRequest =
  | { id: number; type: 'load'; options: WireLoadOptions }
  | { id: number; type: 'classify'; image: WireImage; topk: number }
  | { id: number; type: 'infer'; batch: Float32Array; shape: [number, number, number, number] }
  | { id: number; type: 'memory' }
  | { id: number; type: 'dispose' };

/** What each request type answers with. */
export interface WorkerResults {
  load: WireLoaded;
  classify: Prediction[];
  infer: { logits: Float32Array; shape: [number, number] };
  memory: WorkerMemory;
  dispose: null;
}

/** Messages, worker → page. */
export type WorkerResponse =
  | { type: 'ready'; protocol: string }
  | { type: 'result'; id: number; value: WorkerResults[keyof WorkerResults] }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'progress'; id: number; progress: DownloadProgress }
  | { type: 'warning'; id: number; warning: WireError };

/** Whether a message received by the page is one of ours (a page may share a worker with other code). */
export function isWorkerResponse(data: unknown): data is WorkerResponse {
  if (typeof data !== 'object' || data === null) return false;
  const { type } = data as { type?: unknown };
  return type === 'ready' || type === 'result' || type === 'error' || type === 'progress' || type === 'warning';
}

/** Whether a message received by the worker is the page's `hello`. */
export function isWorkerHello(data: unknown): data is WorkerHello {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'hello';
}

/** Whether a message received by the worker is a request of ours. */
export function isWorkerRequest(data: unknown): data is WorkerRequest {
  if (typeof data !== 'object' || data === null) return false;
  const { id, type } = data as { id?: unknown; type?: unknown };
  return typeof id === 'number' && (type === 'load' || type === 'classify' || type === 'infer' || type === 'memory' || type === 'dispose');
}
