import * as tf from '@tensorflow/tfjs-core';
import { crossOriginIsolation } from './environment.js';
import { relaxedSimdSupported } from './wasm/relaxed_simd.js';

/** What the active TensorFlow.js backend is and what it can do. */
export interface BackendInfo {
  /** Registered backend name, e.g. `cpu`, `wasm`, `webgl`, `tensorflow` (tfjs-node). */
  name: string;
  /** 1 or 2 on webgl, otherwise undefined. */
  webglVersion?: number;
  /** Whether the wasm module is a SIMD build (wasm only). */
  simd?: boolean;
  /**
   * Whether the runtime has WebAssembly relaxed SIMD, so @resnext/layers' wasm kernels run their
   * FMA build (wasm only; see `UseBackendOptions.relaxedSimd`).
   */
  relaxedSimd?: boolean;
  /** Threads XNNPACK runs on, the calling thread included; 1 = single-threaded (wasm only). */
  threads?: number;
  /**
   * Whether @resnext/layers runs 1×1 convolutions on its native kernels (an AVX2 + FMA addon for
   * Node on Linux x64) instead of wasm ones, and why or why not (wasm in Node, with
   * @resnext/layers imported, only).
   */
  nativeKernels?: { active: boolean; reason: string };
  /** Whether the page is cross-origin isolated, which wasm threads need (wasm in browsers only). */
  crossOriginIsolated?: boolean;
  /** The GPU adapter tfjs picked (webgpu only; fields the browser does not reveal are absent). */
  webgpuAdapter?: { vendor?: string; architecture?: string };
  /** Whether TensorFlow runs ops on a CUDA GPU (`tensorflow`, i.e. tfjs-node / tfjs-node-gpu, only). */
  gpu?: boolean;
}

// Fields read off backend instances whose packages are optional, so they are typed here by shape.
interface WasmBackendShape {
  wasm?: { tfjs?: { getThreadsCount?: () => number } };
}
interface WebGPUBackendShape {
  adapterInfo?: { vendor?: unknown; architecture?: unknown };
}
interface TensorflowBackendShape {
  isUsingGpuDevice?: unknown;
}

/**
 * @resnext/layers' native-kernel status, which that package publishes on the global object (this
 * package does not depend on it), or undefined where it is not loaded.
 */
function nativeKernelStatus(): { active: boolean; reason: string } | undefined {
  const status = (globalThis as { [key: symbol]: unknown })[Symbol.for('resnext.nativeKernelStatus')];
  return typeof status === 'function' ? (status as () => { active: boolean; reason: string })() : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Describes the backend tfjs is currently using. Call after `await tf.ready()`.
 * Reads flags and the backend instance; it never changes the backend.
 */
export function backendInfo(): BackendInfo {
  const name = tf.getBackend();
  const info: BackendInfo = { name };
  if (name === 'webgl') info.webglVersion = tf.env().getNumber('WEBGL_VERSION');
  if (name === 'wasm') {
    // Every build we load in Node is a SIMD build; in browsers tfjs picks by this flag.
    info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.relaxedSimd = relaxedSimdSupported();
    const threads = (tf.backend() as WasmBackendShape).wasm?.tfjs?.getThreadsCount?.();
    if (threads !== undefined) info.threads = threads;
    const native = nativeKernelStatus();
    if (native !== undefined) info.nativeKernels = native;
    const isolated = crossOriginIsolation();
    if (isolated !== undefined) info.crossOriginIsolated = isolated;
  }
  if (name === 'webgpu') {
    const adapter = (tf.backend() as WebGPUBackendShape).adapterInfo;
    const vendor = nonEmpty(adapter?.vendor);
    const architecture = nonEmpty(adapter?.architecture);
    info.webgpuAdapter = {
      ...(vendor === undefined ? {} : { vendor }),
      ...(architecture === undefined ? {} : { architecture }),
    };
  }
  if (name === 'tensorflow') info.gpu = (tf.backend() as TensorflowBackendShape).isUsingGpuDevice === true;
  return info;
}
