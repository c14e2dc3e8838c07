/**
 * Weights shipped inside this package (`weights/` next to `dist/` and `src/`), named by
 * `bundled:<file>` source URLs. They are read from the installed package — never downloaded,
 * never cached — so they work offline; their sha256 is still checked on every read.
 */
import { isNode } from './environment.js';
import { DownloadError, IntegrityError } from './errors.js';
import { findMismatch, sha256Hex, validateSpec } from './integrity.js';
import { nodeBuiltins } from '@resnext/layers/node-io';
import type { WeightsFileSpec } from './options.js';

const PREFIX = 'bundled:';

/** Whether a source names a file shipped inside @resnext/pretrained. */
export function isBundledSource(source: { url: string }): boolean {
  return source.url.startsWith(PREFIX);
}

/** The file's URL inside the installed package (this module is `dist/download/` or `src/download/`). */
function bundledFileUrl(source: { url: string }): URL {
  const file = source.url.slice(PREFIX.length);
  if (!/^[\w.-]+$/.test(file)) throw new TypeError(`bundled weights name "${file}" must be a plain file name`);
  return new URL(`../../weights/${file}`, import.meta.url);
}

async function nodePath(url: URL): Promise<string> {
  return (await nodeBuiltins()).url.fileURLToPath(url);
}

/**
 * The error for shipped weights a browser app cannot reach. Vite and webpack 5 emit the files
 * with the app (they follow the `new URL(…, import.meta.url)` above); esbuild and others do not,
 * and webpack configured to keep `import.meta.url` as a `file:` URL points outside the web.
 */
function notServed(source: { url: string }, url: URL, problem: string, status?: number, cause?: unknown): DownloadError {
  const file = source.url.slice(PREFIX.length);
  return new DownloadError({
    url: url.href,
    reason: status === undefined ? 'network' : 'http',
    status,
    cause,
    problem:
      `${problem}: the weights file ${file} shipped inside @resnext/pretrained is not served with this app (its bundler did not emit it). ` +
      `Serve node_modules/@resnext/pretrained/weights/${file} and pass its URL: load({ model: '${file.replace(/\.safetensors$/, '')}', weights: <url> }) ` +
      `— with Vite: import url from '@resnext/pretrained/weights/${file}?url'; then weights: new URL(url, location.href).`,
  });
}

async function fetchBytes(source: { url: string }, url: URL): Promise<Uint8Array> {
  // A browser refuses file: URLs from web pages (and logs it): say so without asking.
  if (url.protocol === 'file:') throw notServed(source, url, 'a web page cannot read file: URLs');
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw notServed(source, url, `fetch failed (${String(cause)})`, undefined, cause);
  }
  if (!response.ok) throw notServed(source, url, `HTTP ${response.status}`, response.status);
  // Dev servers and single-page hosts answer unknown paths with the app's index.html.
  if (/^text\/html\b/i.test(response.headers.get('content-type') ?? '')) throw notServed(source, url, 'the server answered with an HTML page', response.status);
  return new Uint8Array(await response.arrayBuffer());
}

async function readBytes(source: { url: string }, url: URL): Promise<Uint8Array> {
  if (isNode()) return (await nodeBuiltins()).fsp.readFile(await nodePath(url));
  return fetchBytes(source, url);
}

/**
 * The bytes of a `bundled:` weights file, verified against the source's size and sha256.
 *
 * @throws IntegrityError (origin `'package'`) when the file does not match its record; in Node the
 *   file system's error when it is missing; in browsers a `DownloadError` saying how to serve the
 *   file and pass its URL as `load`'s `weights` when the app's bundler did not emit it.
 */
export async function readBundledWeights(source: WeightsFileSpec): Promise<Uint8Array> {
  validateSpec(source);
  const url = bundledFileUrl(source);
  const bytes = await readBytes(source, url);
  const mismatch = findMismatch({ size: bytes.length, sha256: await sha256Hex(bytes) }, source);
  if (mismatch !== undefined) throw new IntegrityError({ url: source.url, file: url.href, ...mismatch, origin: 'package' });
  return bytes;
}

/** Node only: the path of a `bundled:` weights file inside the installed package (not read, not verified). */
export async function bundledFilePath(source: { url: string }): Promise<string> {
  return nodePath(bundledFileUrl(source));
}

/** Node only: the verified path of a `bundled:` weights file inside the installed package. */
export async function verifiedBundledPath(source: WeightsFileSpec): Promise<string> {
  await readBundledWeights(source);
  return nodePath(bundledFileUrl(source));
}
