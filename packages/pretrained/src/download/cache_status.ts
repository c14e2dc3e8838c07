/**
 * Node only: where weights are (or would be) kept in the disk cache and whether they are there,
 * without reading or verifying them — for listings such as `resnext weights`. The paths are the
 * ones `fetchWeights` uses (same directory resolution, same layout).
 */
import { bundledFilePath, isBundledSource } from './bundled.js';
import { isNode, readEnv } from './environment.js';
import { nodeBuiltins, type NodeBuiltins } from '@resnext/layers/node-io';
import { cacheFilePath, homeCacheDir } from './node_cache.js';
import { SIDECAR } from './cache_layout.js';
import type { WeightsFileSpec, WeightsTarget } from './options.js';

/** Where one source of some weights is on disk. */
export interface CachedSourceStatus {
  /** The source's URL (the cache key; `bundled:<file>` for weights shipped in the package). */
  url: string;
  /** The cache entry's absolute path; for `bundled`, the file inside the installed package. */
  path: string;
  /**
   * `cached`: the entry exists (it is verified when loaded); `partial`: only a download in
   * progress or interrupted (`<entry>.incomplete`, or a process's own `<entry>.incomplete-…`);
   * `missing`: neither;
   * `bundled`: shipped inside @resnext/pretrained, never downloaded.
   */
  state: 'cached' | 'partial' | 'missing' | 'bundled';
  /** Bytes on disk: the entry's size (`cached`, `bundled`) or the partial download's (`partial`). */
  bytes: number | undefined;
}

/** What {@link weightsCacheStatus} returns. */
export interface WeightsCacheStatus {
  /** The cache directory looked in (absolute). */
  cacheDir: string;
  /** One entry per source, in the record's order. */
  sources: CachedSourceStatus[];
  /** The first source that is `cached` or `bundled` (the one a load would use without downloading), if any. */
  available: CachedSourceStatus | undefined;
}

/**
 * The Node cache directory: `cacheDir` when given, else env `RESNEXT_CACHE_DIR`, else
 * `~/.cache/resnext`; relative paths are resolved against the working directory.
 *
 * @throws Error outside Node.
 */
export async function weightsCacheDir(cacheDir?: string): Promise<string> {
  if (!isNode()) throw new Error('weightsCacheDir needs a file system (Node)');
  const node = await nodeBuiltins();
  return node.path.resolve(cacheDir ?? readEnv('RESNEXT_CACHE_DIR') ?? homeCacheDir(node));
}

const sizeOf = async (stat: (path: string) => Promise<{ size: number; isFile(): boolean }>, file: string): Promise<number | undefined> => {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
};

/** The size of the kept partial download of `entry`, else of the largest one a process is writing (or left when killed). */
async function partialSize(node: NodeBuiltins, entry: string): Promise<number | undefined> {
  const stat = (file: string) => node.fsp.stat(file);
  const kept = await sizeOf(stat, `${entry}${SIDECAR.incomplete}`);
  if (kept !== undefined) return kept;
  const prefix = `${node.path.basename(entry)}${SIDECAR.writing}`;
  const names = await node.fsp.readdir(node.path.dirname(entry)).catch(() => [] as string[]);
  let largest: number | undefined;
  for (const name of names.filter((n) => n.startsWith(prefix) && !n.endsWith('.validator'))) {
    const size = await sizeOf(stat, node.path.join(node.path.dirname(entry), name));
    if (size !== undefined && size >= (largest ?? 0)) largest = size;
  }
  return largest;
}

/**
 * Looks each source of `target` up in the Node disk cache (`options.cacheDir`, else env
 * `RESNEXT_CACHE_DIR`, else `~/.cache/resnext`) by file presence only: nothing is read, hashed,
 * downloaded or removed.
 *
 * @example
 * ```ts
 * import { getWeights, weightsCacheStatus } from '@resnext/pretrained';
 * const status = await weightsCacheStatus(getWeights('resnext50_32x4d.tv2_in1k'));
 * console.log(status.available?.path ?? `not cached in ${status.cacheDir}`);
 * ```
 *
 * @throws Error outside Node.
 */
export async function weightsCacheStatus(target: WeightsTarget, options: { cacheDir?: string } = {}): Promise<WeightsCacheStatus> {
  const cacheDir = await weightsCacheDir(options.cacheDir);
  const node = await nodeBuiltins();
  const stat = (file: string) => node.fsp.stat(file);
  const specs: readonly WeightsFileSpec[] = 'sources' in target ? target.sources : [target];
  const sources: CachedSourceStatus[] = [];
  for (const spec of specs) {
    if (isBundledSource(spec)) {
      const path = await bundledFilePath(spec);
      sources.push({ url: spec.url, path, state: 'bundled', bytes: await sizeOf(stat, path) });
      continue;
    }
    const path = cacheFilePath(node, cacheDir, spec.url);
    const whole = await sizeOf(stat, path);
    const partial = whole === undefined ? await partialSize(node, path) : undefined;
    const state = whole !== undefined ? 'cached' : partial !== undefined ? 'partial' : 'missing';
    sources.push({ url: spec.url, path, state, bytes: whole ?? partial });
  }
  return { cacheDir, sources, available: sources.find((s) => s.state === 'cached' || s.state === 'bundled') };
}
