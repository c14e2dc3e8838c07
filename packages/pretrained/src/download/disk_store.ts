/**
 * The Node side of fetchWeights: the disk cache as a {@link WeightsStore}. fetch_weights.ts loads
 * this module with a dynamic import, only in Node; it has no static `node:` import either.
 */
import { CacheError, type CacheProblem } from './errors.js';
import { InFlight } from './in_flight.js';
import { nodeBuiltins, type NodeBuiltins } from '@resnext/layers/node-io';
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

/** The first ancestor of `file` (or itself) that exists and is not a directory: what is in the way. */
async function fileInTheWay(node: NodeBuiltins, file: string): Promise<string | undefined> {
  for (let at = file; ; at = node.path.dirname(at)) {
    const isFile = await node.fsp.stat(at).then((s) => !s.isDirectory(), () => undefined);
    if (isFile === true) return at;
    if (node.path.dirname(at) === at) return undefined;
  }
}

/**
 * A file system error that says the cache directory is unusable, as a {@link CacheError} naming
 * the path (for `ENOTDIR`, the file in the way); other errors as they are.
 */
async function asCacheError(node: NodeBuiltins, error: unknown, fallbackPath: string): Promise<unknown> {
  if (error instanceof CacheError) return error;
  const { code, path } = (error ?? {}) as { code?: unknown; path?: unknown };
  const problem = typeof code === 'string' ? PROBLEMS[code] : undefined;
  if (problem === undefined) return error;
  let refused = typeof path === 'string' ? path : fallbackPath;
  if (problem === 'not-a-directory') refused = (await fileInTheWay(node, refused)) ?? refused;
  return new CacheError({ path: refused, problem, code: code as string, cause: error });
}

async function cacheCall<T>(node: NodeBuiltins, fallbackPath: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw await asCacheError(node, error, fallbackPath);
  }
}

/** The disk cache in `cacheDir` (default `~/.cache/resnext`); values are file paths. */
export async function createDiskStore(cacheDir: string | undefined, settings: StoreSettings): Promise<WeightsStore<string>> {
  const node = await nodeBuiltins();
  const dir = cacheDir ?? homeCacheDir(node);
  return {
    async lookup(url, spec) {
      const file = cacheFilePath(node, dir, url);
      const found = await cacheCall(node, file, () => lookupCached(node, file, url, spec, settings.warn));
      if (found.kind === 'hit') return { kind: 'hit', value: found.path };
      return found.kind === 'missing' ? { kind: 'missing', where: found.path } : found;
    },
    async download(url, fetchUrl, spec, participant) {
      const file = cacheFilePath(node, dir, url);
      const found = await downloads.run(file, participant, (signal, emit) =>
        cacheCall(node, file, () => downloadToCache(node, { url, fetchUrl, spec, file, signal, emit, ...settings })),
      );
      return { value: file, fromCache: found };
    },
    bytesOf: (file) => cacheCall(node, file, () => readCachedBytes(node, file)),
  };
}
