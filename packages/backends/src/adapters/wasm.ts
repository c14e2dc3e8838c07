import * as tf from '@tensorflow/tfjs-core';
import { CROSS_ORIGIN_ISOLATION_HEADERS, crossOriginIsolation, isNode } from '../environment.js';
import { importBackendPackage, type ModuleImporter } from '../importer.js';
import { shippedWasmPaths, WASM_FILES_VERSION, type WasmPaths } from '../wasm/browser_files.js';
import { importGlue, lastBrowserInitError, registerBrowserWasmBackend } from '../wasm/browser_wasm.js';
import {
  defaultNodeThreads,
  lastInitError,
  MAX_WASM_THREADS,
  registerNodeWasmBackend,
  type WasmBackendPackage,
} from '../wasm/node_threads.js';
import { backendInfo } from '../info.js';
import { enableRelaxedSimdInNode, RELAXED_SIMD_ENV, relaxedSimdRequestedByEnv, relaxedSimdSupported } from '../wasm/relaxed_simd.js';
import { setBackendOrThrow, unsupported } from './set_backend.js';
import type { Adapter, UseBackendOptions } from './types.js';

/** The parts of `@tensorflow/tfjs-backend-wasm`'s exports used here. */
interface WasmPackage extends WasmBackendPackage {
  setWasmPaths(prefixOrFileMap: WasmPaths): void;
  /** The package's version (absent in test doubles). */
  version_wasm?: string;
}

function checkThreads(threads: number | undefined): void {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
}

/**
 * tfjs' wasm backend (XNNPACK, SIMD). In Node it runs multithreaded on `worker_threads` (see
 * `registerNodeWasmBackend`); in browsers (pages and Web Workers) on the requested threads when the
 * page is cross-origin isolated (see `registerBrowserWasmBackend`), with the `.wasm` binaries
 * shipped with this package unless `wasmPaths` says otherwise.
 */
export const activateWasm: Adapter = async ({ options, importer }) => {
  checkThreads(options.threads);
  const wasm = (await importBackendPackage('@tensorflow/tfjs-backend-wasm', 'wasm', importer)) as WasmPackage;
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    unsupported('wasm', 'WebAssembly SIMD', 'The wasm backend needs WebAssembly SIMD (Node >= 16.4, any current browser).');
  }
  if (isNode() && (options.relaxedSimd ?? relaxedSimdRequestedByEnv())) enableRelaxedSimdInNode();
  let startError = lastInitError;
  let nodeThreads: number | undefined;
  if (isNode()) registerNodeWasmBackend(wasm, (nodeThreads = options.threads ?? (await defaultNodeThreads())));
  else startError = await registerForBrowser(wasm, options, importer);
  await setBackendOrThrow('wasm', 'wasm', undefined, startError);
  const notes = isNode()
    ? [`${nodeThreads} thread(s)${options.threads === undefined ? ', one per core' : ''}`, nodeFmaNote(options.relaxedSimd), nativeNote()]
    : [threadsNote(options.threads)];
  const given = notes.filter((n) => n !== undefined);
  return given.length === 0 ? undefined : given.join('; ');
};

/**
 * In Node, whether @resnext/layers runs 1×1 convolutions on its native kernels (backendInfo reads
 * the status that package publishes), or undefined where @resnext/layers is not loaded.
 */
function nativeNote(): string | undefined {
  const status = backendInfo().nativeKernels;
  if (status === undefined) return undefined;
  return status.active ? `1×1 convolutions on native kernels (${status.reason})` : `native kernels off: ${status.reason}`;
}

/**
 * In Node, whether @resnext/layers' FMA kernels (relaxed SIMD) run, and if not, how to turn them
 * on: Node 20 has relaxed SIMD only behind a V8 flag, and they make ResNeXt-50 about 1.4× faster.
 */
function nodeFmaNote(requested: boolean | undefined): string {
  if (relaxedSimdSupported()) return 'FMA kernels on (relaxed SIMD)';
  if (requested === true || relaxedSimdRequestedByEnv()) return 'FMA kernels off: relaxed SIMD could not be turned on in this Node';
  const version = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node ?? '';
  // With the native 1×1 kernels the FMA build speeds up the rest (grouped convolutions): measured 74.1 → 67.1 ms at batch 1.
  const gain = backendInfo().nativeKernels?.active === true ? 'about 1.1× faster ResNeXt-50' : 'about 1.4× faster ResNeXt-50';
  return (
    `FMA kernels off: Node ${version} has relaxed SIMD only behind a V8 flag; opt in with ` +
    `useBackend(…, { relaxedSimd: true }), ${RELAXED_SIMD_ENV}=1 or node --experimental-wasm-relaxed-simd (${gain}), or use Node 22+`
  );
}

/**
 * Says so when fewer threads run than were asked for. Only tfjs' own browser loader (used where its
 * glue modules cannot be imported) does that: tfjs' C++ caps XNNPACK's pool at half of
 * `navigator.hardwareConcurrency` (it assumes 2 hyperthreads per core).
 */
function threadsNote(requested: number | undefined): string | undefined {
  const running = (tf.backend() as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm?.tfjs?.getThreadsCount?.();
  if (requested === undefined || running === undefined || running === requested) return undefined;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return `${running} of the ${requested} requested threads run: tfjs caps them at half of navigator.hardwareConcurrency (${cores})`;
}

// tfjs' own factory, kept for browsers where tfjs-backend-wasm's glue modules cannot be imported.
let stockFactory: ReturnType<typeof tf.findBackendFactory> | undefined;

/** tfjs' own default in browsers: half of the reported cores, 1 to 4, threads only when isolated. */
function defaultBrowserThreads(): number {
  if (crossOriginIsolation() !== true) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
  return Math.min(4, Math.max(1, Math.floor(cores / 2)));
}

/** The `.wasm` binaries' location: the caller's, else the copies shipped with this package (same tfjs version only). */
function browserWasmPaths(wasm: WasmPackage, given: WasmPaths | undefined): WasmPaths {
  if (given !== undefined) return given;
  const installed = wasm.version_wasm;
  if (installed !== undefined && installed !== WASM_FILES_VERSION) {
    unsupported(
      'wasm',
      `wasm binaries for tfjs-backend-wasm ${installed}`,
      `The .wasm binaries shipped with @resnext/backends are tfjs-backend-wasm ${WASM_FILES_VERSION}'s, but ${installed} is installed ` +
        `and a binary must match its glue: serve node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm and pass their folder as wasmPaths.`,
    );
  }
  return shippedWasmPaths();
}

/**
 * Registers the browser's wasm backend: our loader with the requested threads when tfjs-backend-wasm's
 * glue modules can be imported, tfjs' own otherwise. Returns the getter of the start error.
 */
async function registerForBrowser(wasm: WasmPackage, options: UseBackendOptions, importer: ModuleImporter): Promise<() => unknown> {
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
  const paths = browserWasmPaths(wasm, options.wasmPaths);
  const running = threads ?? defaultBrowserThreads();
  const glue = await importGlue(importer, running);
  if (glue !== undefined) {
    registerBrowserWasmBackend(wasm, glue, running, paths);
    return lastBrowserInitError;
  }
  if (stockFactory === null) unsupported('wasm', 'tfjs-backend-wasm registration', 'tfjs-backend-wasm did not register a wasm backend.');
  wasm.setWasmPaths(paths);
  if (threads !== undefined) wasm.setThreadsCount(threads);
  // Settings are read when the backend starts: restart it if another registration or thread count runs.
  if ('wasm' in tf.engine().registry || tf.findBackendFactory('wasm') !== stockFactory) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', stockFactory, 2);
  }
  return () => undefined;
}
