/**
 * Weights shipped inside this package (`weights/` next to `dist/` and `src/`), named by
 * `bundled:<file>` source URLs. They are read from the installed package — never downloaded,
 * never cached — so they work offline; their sha256 is still checked on every read.
 */
import type * as NodeUrl from 'node:url';
import { isNode } from './environment.js';
import { IntegrityError } from './errors.js';
import { findMismatch, sha256Hex, validateSpec } from './integrity.js';
import { nodeBuiltins } from './node_builtins.js';
import type { WeightsFileSpec } from './options.js';

const PREFIX = 'bundled:';

/** Whether a source names a file shipped inside @resnext/pretrained. */
export function isBundledSource(source: { url: string }): boolean {
  return source.url.startsWith(PREFIX);
}

/** The file's URL inside the installed package (this module is `dist/download/` or `src/download/`). */
export function bundledFileUrl(source: { url: string }): URL {
  const file = source.url.slice(PREFIX.length);
  if (!/^[\w.-]+$/.test(file)) throw new TypeError(`bundled weights name "${file}" must be a plain file name`);
  return new URL(`../../weights/${file}`, import.meta.url);
}

async function nodePath(url: URL): Promise<string> {
  const NODE_URL = 'node:url';
  const { fileURLToPath } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_URL)) as typeof NodeUrl;
  return fileURLToPath(url);
}

async function readBytes(url: URL): Promise<Uint8Array> {
  if (isNode()) return (await nodeBuiltins()).fsp.readFile(await nodePath(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`bundled weights ${url.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The bytes of a `bundled:` weights file, verified against the source's size and sha256.
 *
 * @throws IntegrityError (origin `'package'`) when the file does not match its record; the file
 *   system's or fetch's error when it is missing.
 */
export async function readBundledWeights(source: WeightsFileSpec): Promise<Uint8Array> {
  validateSpec(source);
  const url = bundledFileUrl(source);
  const bytes = await readBytes(url);
  const mismatch = findMismatch({ size: bytes.length, sha256: await sha256Hex(bytes) }, source);
  if (mismatch !== undefined) throw new IntegrityError({ url: source.url, file: url.href, ...mismatch, origin: 'package' });
  return bytes;
}

/** Node only: the verified path of a `bundled:` weights file inside the installed package. */
export async function verifiedBundledPath(source: WeightsFileSpec): Promise<string> {
  await readBundledWeights(source);
  return nodePath(bundledFileUrl(source));
}
