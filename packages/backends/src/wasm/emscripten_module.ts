import type { NodeBuiltins, NodeWorker } from './node_builtins.js';
import type { WasmBuildFiles } from './package_files.js';
import { pthreadWorkerUrl } from './worker_url.js';

/** Emscripten's pthread bookkeeping (threaded build only): one Node Worker per pthread. */
interface PThreadPool {
  /** Workers running a pthread: XNNPACK's pool has `threads - 1` of them (the caller is thread 0). */
  runningWorkers: NodeWorker[];
  /** Idle pre-started workers (Emscripten starts 8 up front). */
  unusedWorkers: NodeWorker[];
  terminateAllThreads(): void;
}

/** The C entry points tfjs' `BackendWasm` calls through `wasm.tfjs`. */
interface TfjsBridge {
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
  mainScriptUrlOrBlob?: string | Blob;
  instantiateWasm(imports: WebAssembly.Imports, receive: ReceiveInstance): object;
  onAbort(what: unknown): void;
  /** Emscripten's warnings and errors (default `console.warn`). */
  printErr?(text: string): void;
}

/** An Emscripten MODULARIZE factory: tfjs-backend-wasm's glue exports one per build. */
export type EmscriptenFactory = (overrides: EmscriptenOverrides) => Promise<Omit<TfjsWasmModule, 'tfjs'>>;

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
 * One tfjs-backend-wasm Emscripten build, ready to start on some host (Node or a browser): its
 * factory (the glue), the compiled binary, and for the threaded build where pthread workers load
 * their script from.
 */
export interface EmscriptenBuild {
  factory: EmscriptenFactory;
  binary: WebAssembly.Module;
  /** Threaded build only: the pthread worker's script (returned for Emscripten's `*.worker.js`). */
  workerUrl?: string | URL;
  /** Threaded build only: the glue as pthread workers load it (`importScripts`/`require`). */
  mainScriptUrlOrBlob?: string | Blob;
  /** Where the glue's warnings go (default `console.warn`). */
  printErr?: (text: string) => void;
  /** Calls the factory; a host may wrap the call (Node restores its process listeners). */
  call?: (factory: EmscriptenFactory, overrides: EmscriptenOverrides) => Promise<Omit<TfjsWasmModule, 'tfjs'>>;
}

/**
 * Starts an Emscripten build of tfjs-backend-wasm, ready for `BackendWasm`, on `threads` threads.
 *
 * The core-count import reports `2 × threads` cores because tfjs' C++ caps XNNPACK's pool at half
 * the reported cores (it assumes 2 hyperthreads per core), so on a 2-core machine (Node's
 * `os.cpus()`, a browser's `navigator.hardwareConcurrency`) it would otherwise never use more than
 * 1 thread. The binary is instantiated from the module given, never fetched by the glue.
 */
export async function startTfjsWasm(build: EmscriptenBuild, threads: number): Promise<TfjsWasmModule> {
  let abort: (error: Error) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  const { workerUrl, binary } = build;
  const overrides: EmscriptenOverrides = {
    // `prefix` is the glue's own directory, with a trailing slash.
    locateFile: (file, prefix) => (file.endsWith('.worker.js') && workerUrl !== undefined ? workerUrl : prefix + file),
    ...(build.mainScriptUrlOrBlob === undefined ? {} : { mainScriptUrlOrBlob: build.mainScriptUrlOrBlob }),
    // A pthread worker that fails while starting is only logged by the glue (its onerror rethrows
    // where nobody catches), and the start would wait for it forever: fail the start instead.
    printErr: (text) => {
      if (text.startsWith('worker sent an error!')) abort(new Error(`a tfjs-backend-wasm pthread worker failed while starting: ${text}`));
      (build.printErr ?? ((t: string) => console.warn(t)))(text);
    },
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
  const call = build.call ?? ((factory, o) => factory(o));
  const raw = await Promise.race([call(build.factory, overrides), aborted]);
  const cwrap = (name: string, returns: 'number' | null, args: 'number'[]) => raw.cwrap(name, returns, args);
  const tfjs: TfjsBridge = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: () => raw.asm.dispose(),
  };
  return Object.assign(raw, { tfjs });
}

/**
 * Instantiates one of tfjs-backend-wasm's Emscripten builds in Node, ready for `BackendWasm`.
 *
 * For the threaded build (`threads > 1`): pthread workers start from a real worker module (see
 * {@link pthreadWorkerUrl}) and load the glue from its file path (`mainScriptUrlOrBlob`) instead
 * of tfjs' blob: URLs, which `worker_threads` cannot start.
 */
export async function instantiateTfjsWasm(
  node: NodeBuiltins,
  files: WasmBuildFiles,
  threads: number,
): Promise<TfjsWasmModule> {
  const build: EmscriptenBuild = {
    factory: node.createRequire(import.meta.url)(files.glue) as EmscriptenFactory,
    binary: await compileOnce(node, files.binary),
    mainScriptUrlOrBlob: files.glue,
    call: (factory, overrides) => callFactoryQuietly(node, factory, overrides),
  };
  if (threads > 1) build.workerUrl = pthreadWorkerUrl(files);
  return startTfjsWasm(build, threads);
}
