/** Page side: the load options as they cross to the worker, with what to transfer. */
import type { WireLoadOptions, WireWeights } from './protocol.js';
import type { WorkerLoadOptions } from './load_in_worker.js';
import { transferableBytes } from './transfer_bytes.js';

/** URLs resolved against the page: relative ones would otherwise resolve against the worker script. */
function againstPage(url: string): string {
  const base = globalThis.location?.href;
  return base === undefined ? url : new URL(url, base).href;
}

/** Weights as they can cross: URLs resolved against the page, bytes transferred, Blobs cloned (by reference). */
function wireWeights(weights: WorkerLoadOptions['weights']): { weights?: WireWeights; transfer: Transferable[] } {
  if (weights === undefined) return { transfer: [] };
  if (typeof weights === 'string' || weights instanceof URL) return { weights: againstPage(weights.toString()), transfer: [] };
  if (weights instanceof ArrayBuffer) return { weights: new Uint8Array(weights), transfer: [weights] };
  if (weights instanceof Uint8Array) {
    const { bytes, transfer } = transferableBytes(weights);
    return { weights: bytes, transfer };
  }
  return { weights, transfer: [] };
}

function wireWasmPaths(paths: string | Record<string, string>): string | Record<string, string> {
  if (typeof paths === 'string') return againstPage(paths);
  return Object.fromEntries(Object.entries(paths).map(([name, url]) => [name, againstPage(url)]));
}

/** The options that cross to the worker. */
export function wireLoadOptions(options: WorkerLoadOptions): { options: WireLoadOptions; transfer: Transferable[] } {
  const { weights, transfer } = wireWeights(options.weights);
  const wire: WireLoadOptions = { backend: options.backend ?? 'auto', progress: options.onProgress !== undefined };
  if (weights !== undefined) wire.weights = weights;
  if (options.model !== undefined) wire.model = options.model;
  if (options.record !== undefined) wire.record = options.record;
  if (options.labels !== undefined) wire.labels = [...options.labels];
  if (options.foldBatchNorm !== undefined) wire.foldBatchNorm = options.foldBatchNorm;
  if (options.warmup !== undefined) wire.warmup = options.warmup;
  if (options.threads !== undefined) wire.threads = options.threads;
  if (options.wasmPaths !== undefined) wire.wasmPaths = wireWasmPaths(options.wasmPaths);
  if (options.offline !== undefined) wire.offline = options.offline;
  if (options.localFilesOnly !== undefined) wire.localFilesOnly = options.localFilesOnly;
  if (options.mirror !== undefined) wire.mirror = options.mirror;
  if (options.timeoutMs !== undefined) wire.timeoutMs = options.timeoutMs;
  if (options.deadlineMs !== undefined) wire.deadlineMs = options.deadlineMs;
  if (options.maxBytes !== undefined) wire.maxBytes = options.maxBytes;
  if (options.checkValues !== undefined) wire.checkValues = options.checkValues;
  return { options: wire, transfer };
}
