import * as tf from '@tensorflow/tfjs-core';

/** True in Node (tfjs' own test: `process.versions.node` exists). */
export function isNode(): boolean {
  return tf.env().getBool('IS_NODE');
}

/**
 * Whether the page is cross-origin isolated, which browsers require before they hand out
 * SharedArrayBuffer (and so wasm threads). Undefined outside browsers.
 */
export function crossOriginIsolation(): boolean | undefined {
  const flag = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
  return typeof flag === 'boolean' ? flag : undefined;
}

/** The two response headers that make a page cross-origin isolated. */
export const CROSS_ORIGIN_ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
