import type { ModuleImporter } from '../importer.js';
import type { WasmPaths } from '../wasm/browser_files.js';

/** Backends `useBackend` can select. `node` and `tensorflow` are the same backend (tfjs-node). */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'tensorflow' | 'node' | 'node-gpu';

/** Options of `useBackend`. */
export interface UseBackendOptions {
  /**
   * wasm only: threads for XNNPACK, 1–8, the calling thread included. Node default: every
   * available core (up to 8); threads run on `worker_threads`. Browser default (pages and Web
   * Workers): tfjs' own choice, half of `navigator.hardwareConcurrency` from 1 to 4; more than 1
   * needs a cross-origin isolated page. A browser runs exactly the number asked for.
   */
  threads?: number;
  /**
   * wasm in Node < 22 only: turn on V8's relaxed SIMD (`--experimental-wasm-relaxed-simd`) so that
   * @resnext/layers' wasm kernels run their FMA build (about 1.5–2× faster convolutions). Off by
   * default: it changes a process-wide V8 flag after startup, which Node documents as unsupported.
   * Where the runtime already has relaxed SIMD (Chrome >= 114, Node >= 22) the FMA build is used
   * anyway and this option changes nothing. Set it before the wasm backend's first kernel runs.
   */
  relaxedSimd?: boolean;
  /**
   * wasm in browsers only: where tfjs-backend-wasm's `.wasm` binaries are served, as a folder URL
   * ending in `/` or one URL per binary (the names `setWasmPaths` takes). Default: the copies shipped
   * in this package's `wasm-files/`, which Vite and webpack emit with the app by themselves (see
   * docs/browser.md for esbuild and others).
   */
  wasmPaths?: WasmPaths;
  /**
   * `auto` in browsers: receives each setup problem passed over on the way (a backend that failed
   * to start, a fall back to cpu because faster backends were not bundled). Default: `console.warn`.
   * The same messages are in the result's `warnings`.
   */
  onWarning?: (message: string) => void;
  /**
   * How backend packages are imported (for bundlers and tests). Default: the loader a
   * `@resnext/backends/<backend>` entry registered, else `import()` of the package's name.
   */
  importer?: ModuleImporter;
}

/** What an adapter needs to activate its backend. */
interface AdapterContext {
  options: UseBackendOptions;
  importer: ModuleImporter;
}

/**
 * Activates one backend (imports, registers, sets and waits for it) or throws
 * `BackendUnavailableError`. May return a note for the caller, e.g. that fewer threads run than asked.
 */
export type Adapter = (context: AdapterContext) => Promise<string | undefined>;
