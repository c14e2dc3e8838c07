import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, type BackendUnavailableDetails } from '../errors.js';

/**
 * `tf.setBackend(name)` + `tf.ready()`, throwing instead of returning false. tfjs leaves its
 * engine pointing at a backend that failed to start, so the previous backend is put back first.
 */
export async function setBackendOrThrow(
  name: string,
  backend: string,
  hint?: string,
  cause?: () => unknown,
): Promise<void> {
  const previous = tf.getBackend() as string | null;
  if (await tf.setBackend(name)) {
    await tf.ready();
    return;
  }
  await restoreBackend(previous, name);
  const error = cause?.();
  // Our own loaders already say what is wrong and how to fix it.
  if (error instanceof BackendUnavailableError) throw error;
  const detail = error instanceof Error ? `: ${error.message}` : ' (tfjs logged the cause above)';
  throw new BackendUnavailableError(`The ${backend} backend failed to start${detail}.${hint === undefined ? '' : ` ${hint}`}`, {
    backend,
    failure: 'init-failed',
    cause: error,
  });
}

/** Switches back to `previous` after `failed` was set but cannot be kept. */
export async function restoreBackend(previous: string | null, failed: string): Promise<void> {
  if (previous !== null && previous !== failed && tf.findBackendFactory(previous) !== null) await tf.setBackend(previous);
}

/** Throws a `BackendUnavailableError` for a runtime that lacks `missing`. */
export function unsupported(backend: string, missing: string, message: string): never {
  const details: BackendUnavailableDetails = { backend, failure: 'unsupported', missing };
  throw new BackendUnavailableError(message, details);
}
