/**
 * WebAssembly relaxed SIMD (f32x4.relaxed_madd = one FMA instruction), which @resnext/layers'
 * wasm kernels use when the runtime has it: Chrome >= 114 and Node >= 22 by default, Node 20
 * only behind V8's `--experimental-wasm-relaxed-simd`.
 */

/** A module of one function returning f32x4.relaxed_madd of three zero vectors. */
function probeModule(): Uint8Array<ArrayBuffer> {
  const zeros = (): number[] => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zeros(), ...zeros(), ...zeros(), 0xfd, 0x85, 0x02, 0x0b]; // no locals; madd; end
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // types: () -> v128
    ...[0x03, 0x02, 0x01, 0x00], // one function of type 0
    ...[0x0a, body.length + 2, 0x01, body.length, ...body], // its code
  ]);
}

/** Whether this runtime compiles relaxed SIMD now. */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(probeModule());
}

interface V8Module {
  setFlagsFromString(flags: string): void;
}

/**
 * Node only: turns on V8's `--experimental-wasm-relaxed-simd` at run time, for modules compiled
 * from now on. Node's documentation calls changing V8 flags after startup unsupported (V8 may
 * misbehave); this flag only widens what the wasm validator accepts, and Node 22 ships it on,
 * but it is process-wide, so it is only ever set on request. Returns whether relaxed SIMD now
 * validates. A no-op where it already does.
 */
export function enableRelaxedSimdInNode(): boolean {
  if (relaxedSimdSupported()) return true;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as V8Module | undefined;
  v8?.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdSupported();
}

/** The environment variable that opts a Node process into relaxed SIMD, as `relaxedSimd: true` does. */
export const RELAXED_SIMD_ENV = 'RESNEXT_RELAXED_SIMD';

/**
 * Node only: whether `RESNEXT_RELAXED_SIMD` asks for relaxed SIMD (`1` or `true`). It lets a user
 * opt in without touching code (`RESNEXT_RELAXED_SIMD=1 npx resnext classify …`).
 */
export function relaxedSimdRequestedByEnv(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[RELAXED_SIMD_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true';
}
