/**
 * The Node side of fetchWeights: the disk cache as a {@link WeightsStore}. fetch_weights.ts loads
 * this module with a dynamic import, only in Node; it has no static `node:` import either.
 */
import { InFlight } from './in_flight.js';
import { nodeBuiltins } from './node_builtins.js';
import { cacheFilePath, homeCacheDir, lookupCached, readCachedBytes } from './node_cache.js';
import { downloadToCache } from './node_download.js';
import type { StoreSettings, WeightsStore } from './store.js';

// One download per cache file in this process; other processes are kept out by the lock file.
const downloads = new InFlight<boolean>();

/** The disk cache in `cacheDir` (default `~/.cache/resnext`); values are file paths. */
export async function createDiskStore(cacheDir: string | undefined, settings: StoreSettings): Promise<WeightsStore<string>> {
  const node = await nodeBuiltins();
  const dir = cacheDir ?? homeCacheDir(node);
  return {
    async lookup(url, spec) {
      const found = await lookupCached(node, cacheFilePath(node, dir, url), url, spec);
      if (found.kind === 'hit') return { kind: 'hit', value: found.path };
      return found.kind === 'missing' ? { kind: 'missing', where: found.path } : found;
    },
    async download(url, fetchUrl, spec, participant) {
      const file = cacheFilePath(node, dir, url);
      const found = await downloads.run(file, participant, (signal, emit) =>
        downloadToCache(node, { url, fetchUrl, spec, file, signal, emit, ...settings }),
      );
      return { value: file, fromCache: found };
    },
    bytesOf: (file) => readCachedBytes(node, file),
  };
}

