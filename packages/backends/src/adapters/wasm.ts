import * as tf from '@tensorflow/tfjs-core';
import { CROSS_ORIGIN_ISOLATION_HEADERS, crossOriginIsolation, isNode } from '../environment.js';
import { importBackendPackage } from '../importer.js';
import {
  defaultNodeThreads,
  lastInitError,
  MAX_WASM_THREADS,
  registerNodeWasmBackend,
  type WasmBackendPackage,
} from '../wasm/node_threads.js';
import { enableRelaxedSimdInNode } from '../wasm/relaxed_simd.js';
import { setBackendOrThrow, unsupported } from './set_backend.js';
import type { Adapter, UseBackendOptions } from './types.js';

/** The parts of `@tensorflow/tfjs-backend-wasm`'s exports used here. */
interface WasmPackage extends WasmBackendPackage {
  setWasmPaths(prefixOrFileMap: string | Record<string, string>): void;
}

function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
}

/**
 * tfjs' wasm backend (XNNPACK, SIMD). In Node it runs multithreaded on `worker_threads` (see
 * `registerNodeWasmBackend`); in browsers tfjs' own loader runs, threaded when the page is
 * cross-origin isolated.
 */
export const activateWasm: Adapter = async ({ options, importer }) => {
  checkThreads(options.threads);
  const wasm = (await importBackendPackage('@tensorflow/tfjs-backend-wasm', 'wasm', importer)) as WasmPackage;
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    unsupported('wasm', 'WebAssembly SIMD', 'The wasm backend needs WebAssembly SIMD (Node >= 16.4, any current browser).');
  }
  const relaxedNote = options.relaxedSimd === true && isNode() && !enableRelaxedSimdInNode() ? 'relaxed SIMD unavailable in this Node' : undefined;
  if (isNode()) registerNodeWasmBackend(wasm, options.threads ?? (await defaultNodeThreads()));
  else registerForBrowser(wasm, options);
  await setBackendOrThrow('wasm', 'wasm', undefined, lastInitError);
  const notes = [threadsNote(options.threads), relaxedNote].filter((n) => n !== undefined);
  return notes.length === 0 ? undefined : notes.join('; ');
};

/**
 * Says so when fewer threads run than were asked for. Only browsers do that: tfjs' C++ caps
 * XNNPACK's pool at half of `navigator.hardwareConcurrency` (it assumes 2 hyperthreads per core).
 */
function threadsNote(requested: number | undefined): string | undefined {
  const running = (tf.backend() as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm?.tfjs?.getThreadsCount?.();
  if (requested === undefined || running === undefined || running === requested) return undefined;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return `${running} of the ${requested} requested threads run: tfjs caps them at half of navigator.hardwareConcurrency (${cores})`;
}

// tfjs' own factory, kept so a browser can be re-registered with another thread count.
let stockFactory: ReturnType<typeof tf.findBackendFactory> | undefined;

function registerForBrowser(wasm: WasmPackage, options: UseBackendOptions): void {
  const { threads } = options;
  if (threads !== undefined && threads > 1 && crossOriginIsolation() !== true) {
    const headers = Object.entries(CROSS_ORIGIN_ISOLATION_HEADERS).map(([name, value]) => `${name}: ${value}`);
    unsupported(
      'wasm',
      'cross-origin isolation (SharedArrayBuffer)',
      `wasm with ${threads} threads needs SharedArrayBuffer, which browsers grant only to cross-origin isolated ` +
        `pages: serve the page with the headers ${headers.join(' and ')} (or ask for threads: 1).`,
    );
  }
  stockFactory ??= tf.findBackendFactory('wasm');
  if (stockFactory === null) unsupported('wasm', 'tfjs-backend-wasm registration', 'tfjs-backend-wasm did not register a wasm backend.');
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  if (threads === undefined) return;
  wasm.setThreadsCount(threads);
  // The thread count is read when the backend starts: restart it if it already runs.
  if ('wasm' in tf.engine().registry) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', stockFactory, 2);
  }
}
