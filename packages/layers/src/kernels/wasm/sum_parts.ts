import { runRows } from './kernel_threads.js';
import type { WasmBackend } from './wasm_backend.js';

/** Floats per unit of work of the final sum: large enough that a unit outweighs taking it from the shared counter. */
const CHUNK = 4096;

/**
 * out = the `parts` arrays of `len` floats at heap offset `partials`, added element by element in
 * part order (csrc/sum_parts.c), on `threads` threads (from kernelThreads). The order is fixed,
 * so the result does not depend on how many threads add which elements.
 */
export function sumParts(be: WasmBackend, threads: number, partials: number, parts: number, len: number, out: number): void {
  const chunks = Math.ceil(len / CHUNK);
  runRows(be, 'sum_parts', chunks > 1 ? threads : 1, chunks, [partials, parts, len, out, CHUNK]);
}
