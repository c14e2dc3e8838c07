/**
 * The package's native kernels for Node on Linux x64 (packages/layers/native, built by
 * tools/build-native-kernels.mjs into prebuilds/linux-x64/resnext-kernels.node): the 1×1
 * convolution as an AVX2 + FMA GEMM and the grouped convolution's forward pass, twice the vector
 * width WebAssembly has, run on tfjs-backend-wasm's heap in place. Loaded on first use with `process.dlopen`, which bundlers leave alone (a browser
 * build never reaches it); anywhere the addon does not load, the wasm kernels run as before.
 */
import { env } from '@tensorflow/tfjs-core';
import { registerSwitchFlag, switchOn, NATIVE_KERNELS_FLAG } from './flags.js';

/** The addon's exports (packages/layers/native/addon.cc); offsets count floats of `heap`. */
export interface NativeAddon {
  supported(): boolean;
  packedFloats(inC: number, outC: number): number;
  pack(heap: Float32Array, filter: number, packed: Float32Array, inC: number, outC: number): void;
  /** Runs an unpadded one-group 1×1 convolution (see {@link NativeConvEntry}); `packed` from pack. */
  pointwise: NativeConvEntry;
  /** Packs a [fh, fw, inPerGroup, outC] filter at heap[filter] for groupConv (as many floats as the filter). */
  groupConvPack(heap: Float32Array, filter: number, packed: Float32Array, filterH: number, filterW: number, inPerGroup: number, outC: number): void;
  /** Runs a grouped convolution (see {@link NativeConvEntry}); `packed` from groupConvPack. */
  groupConv: NativeConvEntry;
}

/**
 * A convolution entry point of the addon: the heap, the packed filter, float offsets of x, bias,
 * residual (-1 when absent) and y, ReLU (1 or 0), the thread count, then the wasm kernels' 16
 * geometry numbers (`geometryNumbers` in src/ops/conv_geometry.ts).
 */
type NativeConvEntry = (
  heap: Float32Array,
  packed: Float32Array,
  x: number,
  bias: number,
  residual: number,
  y: number,
  relu: number,
  threads: number,
  ...geometry: number[]
) => void;

/** Whether the native kernels run here, and why (or why not). */
export interface NativeKernelStatus {
  active: boolean;
  reason: string;
}

/** The bits of Node's `process` used here (typed locally: the build has no Node types). */
interface NodeProcess {
  platform?: string;
  arch?: string;
  dlopen?(module: { exports: unknown }, filename: string): void;
  getBuiltinModule?(id: string): unknown;
}

/** Where @resnext/backends finds {@link nativeKernelStatus} (a global symbol: two copies of this package agree). */
const STATUS = Symbol.for('resnext.nativeKernelStatus');

let loaded: { addon?: NativeAddon; reason: string } | undefined;

function load(): { addon?: NativeAddon; reason: string } {
  if (!env().getBool('IS_NODE')) return { reason: 'not Node' };
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (proc?.platform !== 'linux' || proc.arch !== 'x64') return { reason: `no native build for ${proc?.platform}-${proc?.arch} (linux-x64 only)` };
  const url = proc.getBuiltinModule?.('node:url') as { fileURLToPath(url: string): string } | undefined;
  const path = proc.getBuiltinModule?.('node:path') as { join(...parts: string[]): string; dirname(p: string): string } | undefined;
  if (proc.dlopen === undefined || url === undefined || path === undefined) return { reason: 'process.dlopen is not available' };
  // Path arithmetic, not `new URL('…', import.meta.url)`: bundlers would copy the addon into a
  // browser build (or warn about a computed request).
  const file = path.join(path.dirname(url.fileURLToPath(import.meta.url)), '..', '..', '..', 'prebuilds', 'linux-x64', 'resnext-kernels.node');
  const module = { exports: {} as NativeAddon };
  try {
    proc.dlopen(module, file);
  } catch (error) {
    return { reason: `the addon did not load: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!module.exports.supported()) return { reason: 'this CPU lacks AVX2 or FMA' };
  return { addon: module.exports, reason: 'AVX2 + FMA addon for linux-x64' };
}

/** The addon, or undefined where it does not load or the RESNEXT_NATIVE_KERNELS flag is off. */
export function nativeAddon(): NativeAddon | undefined {
  if (!switchOn(NATIVE_KERNELS_FLAG)) return undefined;
  loaded ??= load();
  return loaded.addon;
}

/** Whether the native kernels run in this process, and why (or why not). */
export function nativeKernelStatus(): NativeKernelStatus {
  if (!switchOn(NATIVE_KERNELS_FLAG)) return { active: false, reason: `${NATIVE_KERNELS_FLAG} is off` };
  loaded ??= load();
  return { active: loaded.addon !== undefined, reason: loaded.reason };
}

// @resnext/backends reports the status in useBackend's result without depending on this package:
// it looks for this function on the global object.
(globalThis as { [STATUS]?: () => NativeKernelStatus })[STATUS] = nativeKernelStatus;
registerSwitchFlag(NATIVE_KERNELS_FLAG, () => undefined);
