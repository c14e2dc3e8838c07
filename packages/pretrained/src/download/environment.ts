/**
 * Environment detection without touching Node globals at import time, so this module (and all the
 * browser path) loads in a browser bundle that has no `process`.
 */

interface ProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
}

function processLike(): ProcessLike | undefined {
  const p = (globalThis as { process?: unknown }).process;
  return typeof p === 'object' && p !== null ? p : undefined;
}

/** True in Node (and runtimes that provide Node's built-ins: Bun, Deno). */
export function isNode(): boolean {
  return typeof processLike()?.versions?.node === 'string';
}

/** An environment variable, or undefined when unset, empty, or there is no environment (browser). */
export function readEnv(name: string): string | undefined {
  const value = processLike()?.env?.[name];
  return value === undefined || value === '' ? undefined : value;
}

/** An environment flag: `1`, `true`, `yes`, `on` (any case) are true; anything else set is false. */
export function readEnvFlag(name: string): boolean | undefined {
  const value = readEnv(name);
  return value === undefined ? undefined : /^(1|true|yes|on)$/i.test(value.trim());
}
