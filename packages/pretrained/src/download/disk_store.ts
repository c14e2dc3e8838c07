/**
 * The Node side of fetchWeights: the disk cache as a {@link WeightsStore}. fetch_weights.ts loads
 * this module with a dynamic import, only in Node; it has no static `node:` import either.
 */
import { CacheError, type CacheProblem } from './errors.js';
import { InFlight } from './in_flight.js';
import { nodeBuiltins } from './node_builtins.js';
import { cacheFilePath, homeCacheDir, lookupCached, readCachedBytes } from './node_cache.js';
import { downloadToCache } from './node_download.js';
import type { StoreSettings, WeightsStore } from './store.js';

// One download per cache file in this process; other processes are kept out by the lock file.
const downloads = new InFlight<boolean>();

const PROBLEMS: Readonly<Record<string, CacheProblem>> = {
  ENOTDIR: 'not-a-directory',
  EEXIST: 'not-a-directory',
  EISDIR: 'is-a-directory',
  EACCES: 'not-writable',
  EPERM: 'not-writable',
  EROFS: 'not-writable',
  ENOSPC: 'full',
  EDQUOT: 'full',
};

/** A file system error that says the cache directory is unusable, as a {@link CacheError} naming the path; other errors as they are. */
function asCacheError(error: unknown, fallbackPath: string): unknown {
  if (error instanceof CacheError) return error;
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  const problem = typeof code === 'string' ? PROBLEMS[code] : undefined;
  if (problem === undefined) return error;
  return new CacheError({ path: typeof path === 'string' ? path : fallbackPath, problem, code: code as string, cause: error });
}

async function cacheCall<T>(fallbackPath: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asCacheError(error, fallbackPath);
  }
}

/** The disk cache in `cacheDir` (default `~/.cache/resnext`); values are file paths. */
export async function createDiskStore(cacheDir: string | undefined, settings: StoreSettings): Promise<WeightsStore<string>> {
  const node = await nodeBuiltins();
  const dir = cacheDir ?? homeCacheDir(node);
  return {
    async lookup(url, spec) {
      const file = cacheFilePath(node, dir, url);
      const found = await cacheCall(file, () => lookupCached(node, file, url, spec, settings.warn));
      if (found.kind === 'hit') return { kind: 'hit', value: found.path };
      return found.kind === 'missing' ? { kind: 'missing', where: found.path } : found;
    },
    async download(url, fetchUrl, spec, participant) {
      const file = cacheFilePath(node, dir, url);
      const found = await downloads.run(file, participant, (signal, emit) =>
        cacheCall(file, () => downloadToCache(node, { url, fetchUrl, spec, file, signal, emit, ...settings })),
      );
      return { value: file, fromCache: found };
    },
    bytesOf: (file) => cacheCall(file, () => readCachedBytes(node, file)),
  };
}
