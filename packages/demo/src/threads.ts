/** The wasm thread counts the page offers. */

/** tfjs-backend-wasm runs at most 8 threads; `useBackend` rejects more. */
export const MAX_WASM_THREADS = 8;

/**
 * Thread counts to offer: 1, 2, 4, … up to the core count (capped at {@link MAX_WASM_THREADS}),
 * and the core count itself when it is not a power of two. Without cross-origin isolation there
 * is no SharedArrayBuffer, so only 1.
 */
export function threadChoices(cores: number, crossOriginIsolated: boolean): number[] {
  if (!crossOriginIsolated) return [1];
  const limit = Math.max(1, Math.min(Math.floor(cores) || 1, MAX_WASM_THREADS));
  const choices: number[] = [];
  for (let n = 1; n <= limit; n *= 2) choices.push(n);
  if (choices.at(-1) !== limit) choices.push(limit);
  return choices;
}

/** The preselected count: all cores up to 4 (more rarely pays off for one image at a time). */
export function defaultThreads(choices: readonly number[]): number {
  return choices.filter((n) => n <= 4).at(-1) ?? 1;
}
