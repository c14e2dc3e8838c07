/** The Node disk cache: where entries live, how a cache hit is verified, and the pinned digests. */
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { SIDECAR, cacheSegments } from './cache_layout.js';
import { CacheError, IntegrityError } from './errors.js';
import { findMismatch, hasDigest, isSha256Hex, type IntegrityMismatch } from './integrity.js';
import { writeFileAtomic, type NodeBuiltins } from '@resnext/layers/node-io';
import type { WeightsFileSpec } from './options.js';
import { EXPECTED_STRUCTURE, structureProblem } from './structure.js';

/** The outcome of looking a URL up in the cache. */
export type CacheLookup =
  | { kind: 'hit'; path: string }
  | { kind: 'missing'; path: string }
  /** The entry failed verification and was removed. */
  | { kind: 'corrupt'; path: string; error: IntegrityError };

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** `~/.cache/resnext`. */
export function homeCacheDir({ os, path }: NodeBuiltins): string {
  return path.join(os.homedir(), '.cache', 'resnext');
}

/** The absolute path of a URL's cache entry in `cacheDir` (relative directories are resolved against the working directory). */
export function cacheFilePath({ crypto, path }: NodeBuiltins, cacheDir: string, url: string): string {
  const hashQuery = (query: string): string => crypto.createHash('sha256').update(query).digest('hex');
  return path.resolve(cacheDir, ...cacheSegments(url, hashQuery));
}

/** Why the file at `file` is not a complete safetensors file or zip archive, or undefined. */
export async function fileStructureProblem(node: NodeBuiltins, file: string): Promise<string | undefined> {
  const handle = await node.fsp.open(file, 'r');
  try {
    return await handleStructureProblem(handle);
  } finally {
    await handle.close();
  }
}

async function handleStructureProblem(handle: FileHandle): Promise<string | undefined> {
  const { size } = await handle.stat();
  return structureProblem(size, async (offset, length) => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  });
}

/** Feeds a file (from an open handle, or a path) through `hash`. */
export async function hashInto(node: NodeBuiltins, source: FileHandle | string, hash: Hash): Promise<void> {
  const stream = typeof source === 'string' ? node.fs.createReadStream(source) : source.createReadStream({ start: 0, autoClose: false });
  for await (const chunk of stream as AsyncIterable<Buffer>) hash.update(chunk);
}

/** The digest pinned next to `file`, if any; a malformed pin is ignored (and rewritten on the next hit). */
async function readPinnedDigest(node: NodeBuiltins, file: string): Promise<string | undefined> {
  try {
    const digest = (await node.fsp.readFile(`${file}${SIDECAR.digest}`, 'utf8')).split(/\s/)[0] ?? '';
    return isSha256Hex(digest) ? digest : undefined;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Pins `digest` next to `file`, atomically and fsynced, in `sha256sum` format (`<hex>  <name>`),
 * so `sha256sum -c <file>.sha256` checks an entry by hand.
 */
export async function writePinnedDigest(node: NodeBuiltins, file: string, digest: string): Promise<void> {
  await writeFileAtomic(`${file}${SIDECAR.digest}`, `${digest}  ${node.path.basename(file)}\n`);
}

/**
 * Looks `url` up at `file` and verifies the entry: its size, and its sha256 against the full
 * digest of the spec, else the pinned digest, and the published prefix; without a digest in the
 * spec, also its structure (a complete safetensors file or zip archive). A verified entry without
 * a pin (placed by hand, or cached before its record gave a digest) gets one, when the cache is
 * writable. A corrupted entry is removed with its pin — unless the file at that path was replaced
 * meanwhile (by another process renaming a verified download into place), which is then left alone.
 *
 * @throws CacheError when the entry's path is a directory.
 */
export async function lookupCached(node: NodeBuiltins, file: string, url: string, spec: WeightsFileSpec, warn?: (problem: Error) => void): Promise<CacheLookup> {
  let handle: FileHandle;
  try {
    handle = await node.fsp.open(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing', path: file };
    throw error;
  }
  let inode: number;
  let size: number;
  let digest = '';
  let structure: string | undefined;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CacheError({ path: file, problem: 'is-a-directory', code: 'EISDIR' });
    ({ ino: inode, size } = stat);
    // A file of the wrong size needs no hashing to be rejected.
    if (spec.bytes === undefined || spec.bytes === size) {
      const hash = node.crypto.createHash('sha256');
      await hashInto(node, handle, hash);
      digest = hash.digest('hex');
    }
    if (!hasDigest(spec)) structure = await handleStructureProblem(handle);
  } finally {
    await handle.close();
  }
  const pinned = await readPinnedDigest(node, file);
  const mismatch: IntegrityMismatch | undefined =
    findMismatch({ size, sha256: digest }, spec, pinned) ??
    (structure === undefined ? undefined : { check: 'structure', expected: EXPECTED_STRUCTURE, actual: structure });
  if (mismatch !== undefined) {
    const replaced = await node.fsp.stat(file).then((s) => s.ino !== inode, () => true);
    if (!replaced) {
      await node.fsp.rm(file, { force: true });
      await node.fsp.rm(`${file}${SIDECAR.digest}`, { force: true });
    }
    return { kind: 'corrupt', path: file, error: new IntegrityError({ url, file, ...mismatch, origin: 'cache' }) };
  }
  if (pinned !== digest) {
    // A read-only cache (shared, or on a read-only mount) still serves its verified entries.
    await writePinnedDigest(node, file, digest).catch((error: unknown) => {
      if (!['EACCES', 'EPERM', 'EROFS'].includes(String(errorCode(error)))) throw error;
      warn?.(new Error(`could not pin the digest of ${file} (${String(errorCode(error))}); the entry is verified on each use`, { cause: error }));
    });
  }
  return { kind: 'hit', path: file };
}

/** A cache entry's bytes, as a plain Uint8Array (not a Buffer, whose methods differ). */
export async function readCachedBytes({ fsp }: NodeBuiltins, file: string): Promise<Uint8Array> {
  const buffer = await fsp.readFile(file);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
