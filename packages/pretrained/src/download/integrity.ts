import type { IntegrityCheck } from './errors.js';
import type { WeightsFileSpec } from './options.js';

/** What was measured of some bytes. */
export interface Observed {
  size: number;
  /** Lowercase hex sha256. */
  sha256: string;
}

/** The first check that failed. */
export interface IntegrityMismatch {
  check: IntegrityCheck;
  expected: string | number;
  actual: string | number;
}

const FULL_DIGEST = /^[0-9a-f]{64}$/;
const DIGEST_PREFIX = /^[0-9a-f]{1,64}$/;

/** Whether `text` is a full lowercase hex sha256 (a pinned digest read back from disk may not be). */
export function isSha256Hex(text: string): boolean {
  return FULL_DIGEST.test(text);
}

/**
 * Rejects malformed integrity fields up front: a typo in a record must fail loudly, not make
 * every download look corrupted.
 */
export function validateSpec(spec: WeightsFileSpec): void {
  if (typeof spec.url !== 'string' || spec.url === '') throw new TypeError('a weights source needs a url');
  if (spec.sha256 !== undefined && !FULL_DIGEST.test(spec.sha256.toLowerCase())) {
    throw new TypeError(`${spec.url}: sha256 "${spec.sha256}" is not 64 hex digits`);
  }
  if (spec.sha256Prefix !== undefined && !DIGEST_PREFIX.test(spec.sha256Prefix.toLowerCase())) {
    throw new TypeError(`${spec.url}: sha256Prefix "${spec.sha256Prefix}" is not 1 to 64 hex digits`);
  }
  if (spec.bytes !== undefined && !(Number.isSafeInteger(spec.bytes) && spec.bytes >= 0)) {
    throw new TypeError(`${spec.url}: bytes ${spec.bytes} is not a byte count`);
  }
}

/**
 * Compares measured bytes with what is known: the size, the full sha256, else the digest pinned on
 * the first verified download, and the published prefix. Returns the first mismatch, or undefined.
 */
export function findMismatch(observed: Observed, spec: WeightsFileSpec, pinned?: string): IntegrityMismatch | undefined {
  if (spec.bytes !== undefined && observed.size !== spec.bytes) {
    return { check: 'size', expected: spec.bytes, actual: observed.size };
  }
  const full = spec.sha256?.toLowerCase() ?? pinned;
  if (full !== undefined && observed.sha256 !== full) {
    return { check: 'sha256', expected: full, actual: observed.sha256 };
  }
  const prefix = spec.sha256Prefix?.toLowerCase();
  if (prefix !== undefined && !observed.sha256.startsWith(prefix)) {
    return { check: 'sha256Prefix', expected: prefix, actual: observed.sha256.slice(0, prefix.length) };
  }
  return undefined;
}

/** sha256 of bytes in memory, lowercase hex, with WebCrypto (browsers and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether the spec carries a digest (full or prefix) that bytes can be checked against. */
export function hasDigest(spec: WeightsFileSpec): boolean {
  return spec.sha256 !== undefined || spec.sha256Prefix !== undefined;
}
