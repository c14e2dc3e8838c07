/**
 * Where a browser finds tfjs-backend-wasm's `.wasm` binaries, and fetching them with errors that
 * say what is wrong. Browser-only.
 *
 * This package ships copies of the three binaries in `wasm-files/` (copied from the
 * tfjs-backend-wasm it was built against). Each is named by a literal
 * `new URL('<relative path>', import.meta.url)`: Vite and webpack 5 see that pattern, emit the
 * file with the app and put its final URL here, so bundled apps need no configuration. Without a
 * bundler the URL points into the installed package. esbuild leaves the expression as it is, so
 * the URL points next to the bundle: copy the files there, or pass `wasmPaths`.
 */
import { BackendUnavailableError } from '../errors.js';

/** The tfjs-backend-wasm version the binaries in `wasm-files/` come from (checked at build time). */
export const WASM_FILES_VERSION = '4.22.0';

/** tfjs-backend-wasm's binaries, by the names its `setWasmPaths` takes. */
export type WasmBinaryName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** `wasmPaths` as a prefix (a folder URL ending in `/`) or one URL per binary. */
export type WasmPaths = string | Partial<Record<WasmBinaryName, string>>;

/** URLs of the binaries shipped with this package (resolved by the app's bundler, if any). */
export function shippedWasmPaths(): Record<WasmBinaryName, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('../../wasm-files/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('../../wasm-files/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('../../wasm-files/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
  };
}

/** The URL of one binary under `paths` (a folder prefix or a per-file map). */
export function wasmBinaryUrl(paths: WasmPaths, name: WasmBinaryName): string {
  if (typeof paths === 'string') return paths + name;
  const url = paths[name];
  if (url === undefined) throw new RangeError(`wasmPaths has no entry for ${name}; give a folder prefix or all three binaries`);
  return url;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

function setupError(message: string, cause?: unknown): BackendUnavailableError {
  return new BackendUnavailableError(message, { backend: 'wasm', failure: 'init-failed', missing: 'tfjs-backend-wasm binary', cause });
}

const HOW_TO_SERVE =
  "Serve the files of @resnext/backends' wasm-files/ folder (or @tensorflow/tfjs-backend-wasm's dist/*.wasm) " +
  "and pass their location: useBackend('wasm', { wasmPaths: '/path/to/folder/' }). See docs/browser.md in the ResNeXt.js repository.";

/**
 * Fetches and compiles one binary. A missing file (HTTP error), an HTML page answered in its
 * place (dev servers' fallback) or bytes that are not WebAssembly become a
 * `BackendUnavailableError` naming the URL and how to serve the files.
 */
export async function fetchWasmBinary(url: string): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (cause) {
    throw setupError(`tfjs' wasm binary could not be fetched from ${url} (${String(cause)}). ${HOW_TO_SERVE}`, cause);
  }
  if (!response.ok) throw setupError(`tfjs' wasm binary is missing at ${url} (HTTP ${response.status}). ${HOW_TO_SERVE}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw setupError(`${url} is not a WebAssembly binary (${bytes.length} bytes, ${type}): the server answered with another file. ${HOW_TO_SERVE}`);
  }
  try {
    return await WebAssembly.compile(bytes);
  } catch (cause) {
    throw setupError(`${url} does not compile as WebAssembly: ${String(cause)}`, cause);
  }
}
