/**
 * Loads our wasm SIMD kernels (packages/layers/csrc, built by tools/build-wasm-kernels.mjs) and
 * instantiates them once per wasm backend on that backend's own memory, so they read and write
 * tfjs tensors in place, with no copies.
 */
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHARED_BASE64 } from './generated/kernels_wasm.js';
import { heapMemory, type WasmBackend } from './wasm_backend.js';

/**
 * The module's exports. Pointers are heap byte offsets. Each entry point ends with the same 16
 * geometry values, in the order {@link geometryNumbers} gives them.
 */
export interface KernelExports {
  group_conv_packed_filter_bytes(...geometry: number[]): number;
  group_conv_pack_filter(dst: number, filter: number, transpose: number, ...geometry: number[]): void;
  group_conv_forward_scratch(...geometry: number[]): number;
  group_conv_forward(x: number, packed: number, bias: number, y: number, scratch: number, relu: number, ...geometry: number[]): void;
  group_conv_backprop_input_scratch(...geometry: number[]): number;
  group_conv_backprop_input(dy: number, packed: number, dx: number, scratch: number, ...geometry: number[]): void;
  group_conv_backprop_filter_scratch(...geometry: number[]): number;
  group_conv_backprop_filter(x: number, dy: number, dfilter: number, scratch: number, ...geometry: number[]): void;
}


function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function compile(base64: string): Promise<WebAssembly.Module | undefined> {
  try {
    return await WebAssembly.compile(decodeBase64(base64));
  } catch {
    // No WebAssembly, or no SIMD (or, for the shared variant, no threads): nothing to run.
    return undefined;
  }
}

// Compiled asynchronously at import (Chrome forbids synchronous compilation of modules over 4 KB
// on the main thread); instantiation per backend is then synchronous, as kernels must be.
const [plainModule, sharedModule] = await Promise.all([compile(KERNELS_WASM_BASE64), compile(KERNELS_WASM_SHARED_BASE64)]);

/** Whether this runtime compiled the kernels (WebAssembly with SIMD). Registration depends on it. */
export const wasmKernelsAvailable = plainModule !== undefined || sharedModule !== undefined;

const instances = new WeakMap<WasmBackend, KernelExports>();

/**
 * The kernels instantiated on `backend`'s heap, created on first use. tfjs' threaded build has a
 * shared memory, which only the shared variant can import.
 *
 * @throws if this tfjs-backend-wasm does not expose its memory, or the matching variant did not compile.
 */
export function kernelsFor(backend: WasmBackend): KernelExports {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  const memory = heapMemory(backend);
  if (memory === undefined) {
    throw new Error('@resnext/layers: the wasm backend exposes no WebAssembly.Memory (wasmMemory or asm.memory); unsupported tfjs-backend-wasm version.');
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = shared ? sharedModule : plainModule;
  if (module === undefined) {
    throw new Error(`@resnext/layers: the ${shared ? 'shared' : 'non-shared'}-memory wasm kernels did not compile in this runtime.`);
  }
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  instances.set(backend, exports);
  return exports;
}
