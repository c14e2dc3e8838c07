import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The emscripten module behind tfjs-backend-wasm: heap allocation, and the memory object, which
 * the builds expose in different places.
 */
interface EmscriptenModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** The single-threaded builds (plain and SIMD) define and export their memory. */
  asm?: { memory?: WebAssembly.Memory };
  /** The threaded build creates its shared memory in JS and keeps it here. */
  wasmMemory?: WebAssembly.Memory;
  /** tfjs' C entry points; the thread count of XNNPACK's pool (1 on the single-threaded builds). */
  tfjs?: { getThreadsCount?(): number };
}

/**
 * The part of tfjs-backend-wasm's `BackendWasm` our kernels use. Declared here rather than
 * imported: the wasm backend is an optional peer that registering our kernels must never load.
 */
export interface WasmBackend extends KernelBackend {
  wasm: EmscriptenModule;
  dataIdMap: {
    get(dataId: object): { memoryOffset: number } | undefined;
    has(dataId: object): boolean;
  };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: Float32Array): TensorInfo;
}

/** The tfjs heap's WebAssembly.Memory, or undefined if this tfjs-backend-wasm hides it. */
export function heapMemory(backend: WasmBackend): WebAssembly.Memory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

/** Byte offset of a tensor's data on the wasm heap (moving it to the backend first if needed). */
export function heapOffset(backend: WasmBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`@resnext/layers: tensor of shape [${t.shape.join(', ')}] is not on the wasm heap.`);
  return data.memoryOffset;
}

/**
 * Runs `body` with `bytes` of heap scratch memory, freed afterwards. The allocation may grow the
 * memory: offsets stay valid, only JS views of the old buffer would not (we keep none).
 */
export function withScratch<T>(backend: WasmBackend, bytes: number, body: (pointer: number) => T): T {
  // `>>> 0`: malloc returns a signed int32, and heaps above 2 GiB are possible.
  const pointer = backend.wasm._malloc(bytes) >>> 0;
  if (pointer === 0) throw new Error(`@resnext/layers: the wasm heap could not allocate ${bytes} bytes.`);
  try {
    return body(pointer);
  } finally {
    backend.wasm._free(pointer);
  }
}
