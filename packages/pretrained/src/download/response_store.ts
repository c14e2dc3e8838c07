/**
 * The browser side of fetchWeights: a response cache (the Cache API, or a user cache with
 * `match`/`put`) as a {@link WeightsStore}. Downloads are held in memory, so they are not resumable;
 * the pinned digest travels with the cached response as a header.
 */
import { DownloadError, IntegrityError } from './errors.js';
import { openUrl } from './http.js';
import { InFlight } from './in_flight.js';
import { findMismatch, hasDigest, isSha256Hex, sha256Hex, type IntegrityMismatch } from './integrity.js';
import type { DownloadProgress, WeightsCache, WeightsFileSpec } from './options.js';
import type { StoreSettings, WeightsStore } from './store.js';
import { EXPECTED_STRUCTURE, bytesStructureProblem } from './structure.js';

/** The response header holding the sha256 pinned when the entry was stored. */
export const PINNED_DIGEST_HEADER = 'x-resnext-sha256';
/** The Cache API cache used by default. */
const CACHE_NAME = 'resnext';

// One download per URL and cache in this page; a WeakMap so a dropped user cache is collected.
const downloadsByCache = new WeakMap<object, InFlight<Uint8Array>>();
const uncachedDownloads = new InFlight<Uint8Array>();

/** `caches.open('resnext')` where the Cache API exists (secure contexts), else undefined. */
export async function defaultResponseCache(): Promise<WeightsCache | undefined> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<WeightsCache> } }).caches;
  if (storage === undefined) return undefined;
  try {
    return await storage.open(CACHE_NAME);
  } catch {
    return undefined; // e.g. a SecurityError in an opaque origin: work without a cache
  }
}

/** Concatenates chunks (or returns the buffer they were written into when the size was known). */
function join(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === size) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The first problem of downloaded or cached bytes: a size or digest mismatch, or, when the spec
 * has no digest, a structure that is not a complete safetensors file or zip archive.
 */
async function verify(bytes: Uint8Array, spec: WeightsFileSpec, pinned?: string): Promise<IntegrityMismatch | undefined> {
  const mismatch = findMismatch({ size: bytes.byteLength, sha256: await sha256Hex(bytes) }, spec, pinned);
  if (mismatch !== undefined || hasDigest(spec)) return mismatch;
  const problem = await bytesStructureProblem(bytes);
  return problem === undefined ? undefined : { check: 'structure', expected: EXPECTED_STRUCTURE, actual: problem };
}

/** A store over `cache` (no caching at all when undefined); values are the bytes. */
export function createResponseStore(cache: WeightsCache | undefined, settings: StoreSettings): WeightsStore<Uint8Array> {
  let downloads = uncachedDownloads;
  if (cache !== undefined) {
    downloads = downloadsByCache.get(cache) ?? new InFlight<Uint8Array>();
    downloadsByCache.set(cache, downloads);
  }

  async function fetchBytes(url: string, fetchUrl: string, spec: WeightsFileSpec, signal: AbortSignal, emit: (progress: DownloadProgress) => void): Promise<Uint8Array> {
    const open = await openUrl(fetchUrl, {}, { fetch: settings.fetch, timeoutMs: settings.timeoutMs, signal, deadline: settings.deadline });
    const { response } = open;
    if (!response.ok || response.status === 206) throw await open.httpError();
    const header = response.headers.get('content-length');
    const length = header !== null && /^\d+$/.test(header) && response.headers.get('content-encoding') === null ? Number(header) : undefined;
    const total = length ?? spec.bytes;
    const tooLarge = (size: number, announced: boolean): DownloadError =>
      new DownloadError({
        url: fetchUrl,
        reason: 'too-large',
        problem: `the server ${announced ? `announces ${size} bytes` : `sent more than ${settings.maxBytes} bytes`}, over the ${settings.maxBytes}-byte limit (maxBytes); nothing was cached`,
      });
    if (total !== undefined && total > settings.maxBytes) {
      await open.discard();
      throw tooLarge(total, true);
    }
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    emit({ loaded, total, url: fetchUrl });
    await open.read((chunk) => {
      if (spec.bytes !== undefined && loaded + chunk.byteLength > spec.bytes) {
        throw new IntegrityError({ url: fetchUrl, check: 'size', expected: spec.bytes, actual: loaded + chunk.byteLength, origin: 'download' });
      }
      if (loaded + chunk.byteLength > settings.maxBytes) throw tooLarge(loaded + chunk.byteLength, false);
      chunks.push(chunk);
      loaded += chunk.byteLength;
      emit({ loaded, total, url: fetchUrl });
    });
    if (length !== undefined && loaded !== length) {
      throw new DownloadError({ url: fetchUrl, reason: 'network', problem: `connection closed after ${loaded} of ${length} bytes` });
    }
    const bytes = join(chunks, loaded);
    const mismatch = await verify(bytes, spec);
    if (mismatch !== undefined) throw new IntegrityError({ url: fetchUrl, ...mismatch, origin: 'download' });
    const digest = await sha256Hex(bytes);
    if (cache !== undefined) {
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength), [PINNED_DIGEST_HEADER]: digest };
      try {
        await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers }));
      } catch (error) {
        // A full quota must not cost the user the weights they just downloaded.
        settings.warn(new Error(`could not cache ${url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    }
    return bytes;
  }

  return {
    async lookup(url, spec) {
      if (cache === undefined) return { kind: 'missing', where: `no cache (the Cache API is unavailable here) for ${url}` };
      const response = await cache.match(url);
      if (response === undefined) return { kind: 'missing', where: `cache:${url}` };
      const bytes = new Uint8Array(await response.arrayBuffer());
      const pin = response.headers.get(PINNED_DIGEST_HEADER) ?? '';
      const mismatch = await verify(bytes, spec, isSha256Hex(pin) ? pin : undefined);
      if (mismatch === undefined) return { kind: 'hit', value: bytes };
      await cache.delete?.(url).catch(() => false);
      return { kind: 'corrupt', error: new IntegrityError({ url, ...mismatch, origin: 'cache' }) };
    },
    async download(url, fetchUrl, spec, participant) {
      const value = await downloads.run(url, participant, (signal, emit) => fetchBytes(url, fetchUrl, spec, signal, emit));
      return { value, fromCache: false };
    },
    bytesOf: (bytes) => Promise.resolve(bytes),
  };
}
