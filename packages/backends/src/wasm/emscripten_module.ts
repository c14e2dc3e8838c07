import type { NodeBuiltins, NodeWorker } from './node_builtins.js';
import type { WasmBuildFiles } from './package_files.js';
import { pthreadWorkerUrl } from './worker_url.js';

/** Emscripten's pthread bookkeeping (threaded build only): one Node Worker per pthread. */
export interface PThreadPool {
  /** Workers running a pthread: XNNPACK's pool has `threads - 1` of them (the caller is thread 0). */
  runningWorkers: NodeWorker[];
  /** Idle pre-started workers (Emscripten starts 8 up front). */
  unusedWorkers: NodeWorker[];
  terminateAllThreads(): void;
}

/** The C entry points tfjs' `BackendWasm` calls through `wasm.tfjs`. */
export interface TfjsBridge {
  init(): void;
  initWithThreadsCount(threads: number): void;
  getThreadsCount(): number;
  registerTensor(id: number, size: number, memoryOffset: number): void;
  disposeData(id: number): void;
  dispose(): void;
}

/** The parts of tfjs-backend-wasm's Emscripten module that this package and `BackendWasm` use. */
export interface TfjsWasmModule {
  cwrap(ident: string, returnType: 'number' | null, argTypes: 'number'[]): (...args: number[]) => number;
  /** The instance's exports. The single-threaded build exports its memory here as `memory`. */
  asm: { dispose(): void; memory?: WebAssembly.Memory };
  HEAPU8: Uint8Array;
  /** The shared memory the threaded build imports (absent on the single-threaded build). */
  wasmMemory?: WebAssembly.Memory;
  PThread?: PThreadPool;
  tfjs: TfjsBridge;
}

type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

/** Module overrides we pass to the Emscripten factory. */
interface EmscriptenOverrides {
  locateFile(file: string, prefix: string): string | URL;
  mainScriptUrlOrBlob?: string;
  instantiateWasm(imports: WebAssembly.Imports, receive: ReceiveInstance): object;
  onAbort(what: unknown): void;
}

type EmscriptenFactory = (overrides: EmscriptenOverrides) => Promise<Omit<TfjsWasmModule, 'tfjs'>>;

// Compiling the binary takes ~100 ms; a process that switches thread counts reuses it.
const compiled = new Map<string, Promise<WebAssembly.Module>>();

function compileOnce(node: NodeBuiltins, binaryPath: string): Promise<WebAssembly.Module> {
  let module = compiled.get(binaryPath);
  if (module === undefined) {
    module = node.readFile(binaryPath).then((bytes) => WebAssembly.compile(bytes));
    compiled.set(binaryPath, module);
  }
  return module;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Calls the Emscripten factory and removes the process listeners its glue installs. Why: the
 * glue adds an `unhandledRejection` listener that rethrows (turning any rejection in the host app
 * into a crash) and, on dispose, removes every listener that existed when it was created,
 * including the host's own (its filter in post.js is always true). We keep the host's listeners
 * as they were, and dispose through the raw export so nothing else is removed.
 */
function callFactoryQuietly(
  node: NodeBuiltins,
  factory: EmscriptenFactory,
  overrides: EmscriptenOverrides,
): Promise<Omit<TfjsWasmModule, 'tfjs'>> {
  const events = node.process;
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  try {
    return factory(overrides);
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of events.listeners(event)) {
        if (!before.get(event)?.has(listener)) events.removeListener(event, listener);
      }
    }
  }
}

/**
 * Instantiates one of tfjs-backend-wasm's Emscripten builds in Node, ready for `BackendWasm`.
 *
 * For the threaded build (`threads > 1`): pthread workers start from a real worker module (see
 * {@link pthreadWorkerUrl}) and load the glue from its file path (`mainScriptUrlOrBlob`) instead
 * of tfjs' blob: URLs. The core-count import reports `2 × threads` cores because tfjs' C++ caps
 * XNNPACK's pool at half the reported cores (it assumes 2 hyperthreads per core), so on a 2-core
 * machine it would otherwise never use more than 1 thread.
 */
export async function instantiateTfjsWasm(
  node: NodeBuiltins,
  files: WasmBuildFiles,
  threads: number,
): Promise<TfjsWasmModule> {
  const factory = node.createRequire(import.meta.url)(files.glue) as EmscriptenFactory;
  const binary = await compileOnce(node, files.binary);
  const workerUrl = threads > 1 ? pthreadWorkerUrl(files) : undefined;

  let abort: (error: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  const overrides: EmscriptenOverrides = {
    // `prefix` is the glue's own directory, with a trailing slash.
    locateFile: (file, prefix) => (file.endsWith('.worker.js') && workerUrl !== undefined ? workerUrl : prefix + file),
    mainScriptUrlOrBlob: files.glue,
    instantiateWasm(imports, receive) {
      const env = imports['env'] ?? {};
      const coreCount = (): number => 2 * threads;
      const patched = threads > 1 ? { ...imports, env: { ...env, emscripten_num_logical_cores: coreCount } } : imports;
      WebAssembly.instantiate(binary, patched).then(
        (instance) => receive(instance, binary),
        (error: unknown) => abort(error instanceof Error ? error : new Error(String(error))),
      );
      return {}; // instantiation is asynchronous: Emscripten waits for `receive`
    },
    onAbort: (what) => abort(new Error(`tfjs-backend-wasm aborted while starting: ${String(what)}`)),
  };
  const raw = await Promise.race([callFactoryQuietly(node, factory, overrides), aborted]);
  const call = (name: string, returns: 'number' | null, args: 'number'[]) => raw.cwrap(name, returns, args);
  const tfjs: TfjsBridge = {
    init: call('init', null, []),
    initWithThreadsCount: call('init_with_threads_count', null, ['number']),
    getThreadsCount: call('get_threads_count', 'number', []),
    registerTensor: call('register_tensor', null, ['number', 'number', 'number']),
    disposeData: call('dispose_data', null, ['number']),
    dispose: () => raw.asm.dispose(),
  };
  return Object.assign(raw, { tfjs });
}
