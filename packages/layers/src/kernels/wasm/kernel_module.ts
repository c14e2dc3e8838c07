/**
 * Loads our wasm SIMD kernels (packages/layers/csrc, built by tools/build-wasm-kernels.mjs) and
 * instantiates them once per wasm backend on that backend's own memory, so they read and write
 * tfjs tensors in place, with no copies.
 */
import {
  KERNELS_WASM_BASE64,
  KERNELS_WASM_RELAXED_BASE64,
  KERNELS_WASM_SHARED_PATCH,
  KERNELS_WASM_SHARED_RELAXED_PATCH,
  type SharedMemoryPatch,
} from './generated/kernels_wasm.js';
import { heapMemory, type WasmBackend } from './wasm_backend.js';

/**
 * The module's exports. Pointers are heap byte offsets. Each entry point ends with the same 16
 * geometry values, in the order {@link geometryNumbers} gives them.
 */
export interface KernelExports {
  group_conv_packed_filter_bytes(...geometry: number[]): number;
  /** `wide`: {@link KernelInstance.wide} for forward packing (transpose 0). */
  group_conv_pack_filter(dst: number, filter: number, transpose: number, wide: number, ...geometry: number[]): void;
  group_conv_forward_scratch(...geometry: number[]): number;
  /** Output rows [first, end) (see `runRows` in kernel_threads.ts); scratch holds a share per thread, `slot` is this thread's. */
  /** Channel parts to cut the forward pass into for `threads` threads (1: rows only). */
  group_conv_forward_parts(threads: number, wide: number, ...geometry: number[]): number;
  /** Work units [first, end): `parts` x (n * oh) (see csrc/group_conv_forward.c); `wide` as the filter was packed with. */
  group_conv_forward: (slot: number, first: number, end: number, x: number, packed: number, bias: number, residual: number, y: number, scratch: number, relu: number, parts: number, wide: number, ...geometry: number[]) => void;
  group_conv_backprop_input_scratch(...geometry: number[]): number;
  /** dx rows [first, end), like group_conv_forward. */
  group_conv_backprop_input: (slot: number, first: number, end: number, dy: number, packed: number, dx: number, scratch: number, ...geometry: number[]) => void;
  group_conv_backprop_filter_scratch(...geometry: number[]): number;
  /** Parts the filter gradient's sum over images and pixels is cut into: a function of the geometry alone. */
  group_conv_backprop_filter_parts(...geometry: number[]): number;
  /** Parts [first, end): part p's partial filter at partials + p x filter size (see csrc/group_conv_backprop_filter.c). */
  group_conv_backprop_filter: (slot: number, first: number, end: number, x: number, dy: number, partials: number, scratch: number, parts: number, ...geometry: number[]) => void;
  /** Chunks [first, end) of out = the `parts` arrays of `len` floats at `partials`, added in order. */
  sum_parts: (slot: number, first: number, end: number, partials: number, parts: number, len: number, out: number, chunk: number) => void;
  /** Rows per part of batch norm's channel sums over m rows of c channels (see csrc/batch_norm_train.c). */
  batch_norm_train_part_rows(m: number, c: number): number;
  batch_norm_train_scratch_floats(c: number): number;
  /** Parts [first, end) of the channel sums; `b`, `shiftA`, `shiftB` may be 0 (absent). */
  batch_norm_train_sums: (slot: number, first: number, end: number, a: number, b: number, shiftA: number, shiftB: number, partials: number, m: number, c: number, partRows: number) => void;
  batch_norm_train_forward_stats(partials: number, parts: number, x: number, gamma: number, beta: number, mean: number, variance: number, sf: number, m: number, c: number, eps: number): void;
  batch_norm_train_backward_stats(partials: number, parts: number, gamma: number, variance: number, dgamma: number, dbeta: number, sf: number, m: number, c: number, eps: number): void;
  /** Rows [first, end) of out = a·p + (b − sb)·q + k, with [p | q | k] at sf; `b` may be 0. */
  batch_norm_train_affine: (slot: number, first: number, end: number, a: number, b: number, sb: number, sf: number, out: number, m: number, c: number) => void;
  /** Chunks [first, end) of `chunk` elements of dx = dy where y > 0, else 0. */
  bn_relu_backward: (slot: number, first: number, end: number, dy: number, y: number, dx: number, n: number, chunk: number) => void;
}


function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function compile(bytes: Uint8Array<ArrayBuffer>): Promise<WebAssembly.Module | undefined> {
  try {
    return await WebAssembly.compile(bytes);
  } catch {
    // No WebAssembly, or no SIMD (or, for the shared variant, no threads; for the relaxed ones, no relaxed SIMD).
    return undefined;
  }
}

/** One build of the kernels: plain SIMD or relaxed SIMD, for a non-shared and a shared memory. */
interface Variant {
  bytes: Uint8Array<ArrayBuffer>;
  module: WebAssembly.Module | undefined;
}

function variant(bytes: Uint8Array<ArrayBuffer>): Variant {
  return { bytes, module: undefined };
}

/** The shared-memory twin of a plain build: its bytes with the import section's region replaced. */
export function applySharedMemoryPatch(plain: Uint8Array, patch: SharedMemoryPatch): Uint8Array<ArrayBuffer> {
  const insert = new Uint8Array(patch.insert.length / 2);
  for (let i = 0; i < insert.length; i++) insert[i] = parseInt(patch.insert.slice(2 * i, 2 * i + 2), 16);
  const out = new Uint8Array(plain.length - patch.remove + insert.length);
  out.set(plain.subarray(0, patch.at));
  out.set(insert, patch.at);
  out.set(plain.subarray(patch.at + patch.remove), patch.at + insert.length);
  return out;
}

const PLAIN_BYTES = decodeBase64(KERNELS_WASM_BASE64);
const RELAXED_BYTES = decodeBase64(KERNELS_WASM_RELAXED_BASE64);
const VARIANTS = {
  plain: variant(PLAIN_BYTES),
  shared: variant(applySharedMemoryPatch(PLAIN_BYTES, KERNELS_WASM_SHARED_PATCH)),
  plainRelaxed: variant(RELAXED_BYTES),
  sharedRelaxed: variant(applySharedMemoryPatch(RELAXED_BYTES, KERNELS_WASM_SHARED_RELAXED_PATCH)),
};

// Compiled asynchronously at import (Chrome forbids synchronous compilation of modules over 4 KB
// on the main thread); instantiation per backend is then synchronous, as kernels must be.
await Promise.all(Object.values(VARIANTS).map(async (v) => (v.module = await compile(v.bytes))));

/** Whether this runtime compiled the kernels (WebAssembly with SIMD). Registration depends on it. */
export const wasmKernelsAvailable = VARIANTS.plain.module !== undefined || VARIANTS.shared.module !== undefined;

/**
 * The relaxed-SIMD build if this runtime accepts it now. Node 20 accepts relaxed SIMD only after
 * `--experimental-wasm-relaxed-simd` (which `@resnext/backends`' `useBackend('wasm', { relaxedSimd:
 * true })` sets at run time), possibly after this module was imported: then it is compiled here,
 * synchronously (allowed in Node; browsers decide relaxed SIMD support before any script runs, so
 * there it was compiled at import or never validates).
 */
function relaxedModule(v: Variant): WebAssembly.Module | undefined {
  if (v.module === undefined && relaxedSimdValidates() && WebAssembly.validate(v.bytes)) {
    try {
      v.module = new WebAssembly.Module(v.bytes);
    } catch {
      return undefined;
    }
  }
  return v.module;
}

/** A function returning f32x4.relaxed_madd of three zero vectors: a cheap test of relaxed SIMD support. */
const RELAXED_PROBE = (() => {
  const zeros = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b]; // no locals; relaxed_madd; end
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
})();

function relaxedSimdValidates(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}

/** The kernels on one backend: the instance's exports and what built it. */
export interface KernelInstance {
  exports: KernelExports;
  /** The compiled module, for worker threads to instantiate on the same memory. */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Whether the memory is shared (tfjs' threaded build). */
  shared: boolean;
  /** Whether this is the relaxed-SIMD (FMA) build. */
  relaxed: boolean;
  /**
   * Whether one-group 1×1 convolutions run on the relaxed build's 24-channel core (packed for it,
   * see csrc/conv_core.c): where the runtime keeps its 15 vector registers free of spills.
   */
  wide: boolean;
}

/**
 * Whether this runtime's compiler runs the 24-channel 1×1 core without spilling. Measured (one
 * thread, ResNeXt-50's 1×1 shapes): V8 13.6 (Node 24) 24–26 GMAC/s against 22–24 for the
 * 16-channel core; V8 11.3 (Node 20) spills it, 12 GMAC/s against 24. Other V8 versions and
 * browsers are not measured and keep the 16-channel core.
 */
function wideCoreFits(): boolean {
  const v8 = (globalThis as { process?: { versions?: { v8?: string } } }).process?.versions?.v8;
  return v8 !== undefined && Number.parseInt(v8, 10) >= 13;
}

const instances = new WeakMap<WasmBackend, KernelInstance>();

/**
 * The kernels instantiated on `backend`'s heap, created on first use: the relaxed-SIMD build when
 * the runtime accepts it, else the plain SIMD one (replaced by the relaxed one if relaxed SIMD is
 * switched on later; the instances keep no state, so nothing is lost). tfjs' threaded build has a
 * shared memory, which only the shared variants can import.
 *
 * @throws if this tfjs-backend-wasm does not expose its memory, or the matching variant did not compile.
 */
export function kernelInstance(backend: WasmBackend): KernelInstance {
  const cached = instances.get(backend);
  if (cached !== undefined && (cached.relaxed || !relaxedSimdValidates())) return cached;
  const memory = heapMemory(backend);
  if (memory === undefined) {
    throw new Error('@resnext/layers: the wasm backend exposes no WebAssembly.Memory (wasmMemory or asm.memory); unsupported tfjs-backend-wasm version.');
  }
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const fast = relaxedModule(shared ? VARIANTS.sharedRelaxed : VARIANTS.plainRelaxed);
  const module = fast ?? (shared ? VARIANTS.shared : VARIANTS.plain).module;
  if (module === undefined) {
    throw new Error(`@resnext/layers: the ${shared ? 'shared' : 'non-shared'}-memory wasm kernels did not compile in this runtime.`);
  }
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const instance = { exports, module, memory, shared, relaxed: fast !== undefined, wide: fast !== undefined && wideCoreFits() };
  instances.set(backend, instance);
  return instance;
}

/**
 * The kernels' exports on `backend`'s heap (see {@link kernelInstance}).
 *
 * @throws if this tfjs-backend-wasm does not expose its memory, or the matching variant did not compile.
 */
export function kernelsFor(backend: WasmBackend): KernelExports {
  return kernelInstance(backend).exports;
}
