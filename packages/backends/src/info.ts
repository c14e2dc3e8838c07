import * as tf from '@tensorflow/tfjs-core';

/** What the active TensorFlow.js backend is and what it can do. */
export interface BackendInfo {
  /** Registered backend name, e.g. `cpu`, `wasm`, `webgl`. */
  name: string;
  /** 1 or 2 on webgl, otherwise undefined. */
  webglVersion?: number;
  /** Whether wasm SIMD is enabled (wasm only). */
  wasmSimd?: boolean;
  /** Whether the wasm backend may use threads (wasm only). */
  wasmThreads?: boolean;
}

/**
 * Describes the backend tfjs is currently using. Call after `await tf.ready()`.
 * Reads tfjs environment flags only; it never changes the backend.
 */
export function backendInfo(): BackendInfo {
  const name = tf.getBackend();
  const info: BackendInfo = { name };
  if (name === 'webgl') info.webglVersion = tf.env().getNumber('WEBGL_VERSION');
  if (name === 'wasm') {
    info.wasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    info.wasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  }
  return info;
}
