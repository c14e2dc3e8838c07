/**
 * The public entry points of the download layer. The same code runs in Node (disk cache, resumable
 * downloads, lock files) and in browsers (Cache API or a user cache); the Node part is loaded with
 * a dynamic import only where `process.versions.node` exists.
 */
import { isBundledSource, readBundledWeights, verifiedBundledPath } from './bundled.js';
import { isNode, readEnv, readEnvFlag } from './environment.js';
import { validateSpec } from './integrity.js';
import { DEFAULT_DEADLINE_MS, DEFAULT_LOCK_STALE_MS, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type FetchWeightsOptions, type WeightsFileSpec, type WeightsTarget } from './options.js';
import { defaultResponseCache, createResponseStore } from './response_store.js';
import { resolveSources, type ResolveSettings } from './sources.js';
import type { StoreSettings, WeightsStore } from './store.js';

/** What {@link fetchWeightsWithSource} returns. */
export interface FetchedWeights<S extends WeightsFileSpec = WeightsFileSpec> {
  bytes: Uint8Array;
  /** The source the bytes are from (its `format` tells which reader to use). */
  source: S;
  /** True when no download was needed. */
  fromCache: boolean;
}

/** What {@link fetchWeightsToPath} returns. */
export interface CachedWeightsFile<S extends WeightsFileSpec = WeightsFileSpec> {
  /** The verified cache entry. */
  path: string;
  source: S;
  fromCache: boolean;
}

function sourcesOf<S extends WeightsFileSpec>(target: WeightsTarget<S>): readonly S[] {
  const sources = 'sources' in target ? target.sources : [target];
  if (sources.length === 0) throw new TypeError(`weights ${'id' in target && target.id !== undefined ? `"${target.id}" have` : 'have'} no sources`);
  for (const source of sources) validateSpec(source);
  return sources;
}

function settingsOf(options: FetchWeightsOptions): StoreSettings & ResolveSettings {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const lockStaleMs = options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!(timeoutMs >= 0) || !(lockStaleMs > 0)) throw new RangeError(`timeoutMs must be ≥ 0 and lockStaleMs > 0, got ${timeoutMs} and ${lockStaleMs}`);
  if (!(deadlineMs >= 0) || !(maxBytes >= 0)) throw new RangeError(`deadlineMs and maxBytes must be ≥ 0, got ${deadlineMs} and ${maxBytes}`);
  const warn = options.onWarning ?? ((problem: Error) => console.warn(`@resnext/pretrained: ${problem.message}`));
  return {
    offline: options.offline ?? options.localFilesOnly ?? readEnvFlag('RESNEXT_OFFLINE') ?? false,
    mirror: options.mirror ?? readEnv('RESNEXT_MIRROR'),
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    timeoutMs,
    lockStaleMs,
    // From the call's start: lock waits and cache lookups count too, as the caller sees them.
    deadline: deadlineMs === 0 ? undefined : { at: Date.now() + deadlineMs, ms: deadlineMs },
    maxBytes,
    warn,
    participant: { signal: options.signal, onProgress: options.onProgress },
  };
}

/** The Node disk store; the cache directory is the option, else env `RESNEXT_CACHE_DIR`, else `~/.cache/resnext`. */
async function diskStore(options: FetchWeightsOptions, settings: StoreSettings): Promise<WeightsStore<string>> {
  const { createDiskStore } = await import('./disk_store.js');
  return createDiskStore(options.cacheDir ?? readEnv('RESNEXT_CACHE_DIR'), settings);
}

/**
 * Fetches and verifies weights, from the cache when possible, and returns the source used.
 * `target` is a weights record (its sources are mirrors, tried in order) or one file
 * `{ url, sha256?, sha256Prefix?, bytes? }`. See {@link FetchWeightsOptions} and the README.
 *
 * Concurrent callers for the same file share one download and may receive the same bytes:
 * treat them as read-only.
 *
 * @throws DownloadError, IntegrityError, OfflineError (see errors.ts); `signal.reason` when cancelled.
 */
export async function fetchWeightsWithSource<S extends WeightsFileSpec>(target: WeightsTarget<S>, options: FetchWeightsOptions = {}): Promise<FetchedWeights<S>> {
  const sources = sourcesOf(target);
  // Weights shipped in the package: read and verified in place, no network, no cache.
  const bundled = sources.find(isBundledSource);
  if (bundled !== undefined) return { bytes: await readBundledWeights(bundled), source: bundled, fromCache: true };
  const settings = settingsOf(options);
  if (options.cache === undefined && isNode()) {
    const store = await diskStore(options, settings);
    const found = await resolveSources(store, sources, settings);
    return { bytes: await store.bytesOf(found.value), source: found.source, fromCache: found.fromCache };
  }
  const store = createResponseStore(options.cache ?? (await defaultResponseCache()), settings);
  const found = await resolveSources(store, sources, settings);
  return { bytes: found.value, source: found.source, fromCache: found.fromCache };
}

/**
 * Fetches and verifies weights and returns their bytes: {@link fetchWeightsWithSource} without the
 * details. In Node the file is kept in the disk cache, in a browser in the Cache API (or `options.cache`).
 */
export async function fetchWeights(target: WeightsTarget, options: FetchWeightsOptions = {}): Promise<Uint8Array> {
  return (await fetchWeightsWithSource(target, options)).bytes;
}

/**
 * Node only: makes sure the weights are in the disk cache, verified, and returns the entry's path
 * (for readers that map or stream files). Ignores `options.cache`.
 *
 * @throws Error outside Node; otherwise as {@link fetchWeightsWithSource}.
 */
export async function fetchWeightsToPath<S extends WeightsFileSpec>(target: WeightsTarget<S>, options: FetchWeightsOptions = {}): Promise<CachedWeightsFile<S>> {
  if (!isNode()) throw new Error('fetchWeightsToPath needs a file system (Node); use fetchWeights in a browser');
  const sources = sourcesOf(target);
  const bundled = sources.find(isBundledSource);
  if (bundled !== undefined) return { path: await verifiedBundledPath(bundled), source: bundled, fromCache: true };
  const settings = settingsOf(options);
  const found = await resolveSources(await diskStore(options, settings), sources, settings);
  return { path: found.value, source: found.source, fromCache: found.fromCache };
}
