/** Options and shared types of {@link fetchWeights} and its variants. */

/** One downloadable file and what is known of its integrity (a `WeightsSource` is one). */
export interface WeightsFileSpec {
  url: string;
  /** Full sha256, lowercase hex. */
  sha256?: string;
  /** The first hex digits of the sha256, as torchvision publishes them in file names. */
  sha256Prefix?: string;
  /** Size in bytes. */
  bytes?: number;
}

/** What to fetch: a weights record (its sources are mirrors, tried in order) or one file. */
export type WeightsTarget<S extends WeightsFileSpec = WeightsFileSpec> = S | { readonly id?: string; readonly sources: readonly S[] };

/** A download's progress. `loaded` counts bytes of the file, including those resumed from a previous attempt. */
export interface DownloadProgress {
  loaded: number;
  /** The file's size, when the server or the record says it; undefined otherwise. */
  total: number | undefined;
  /** The URL being downloaded (after any mirror rewrite). */
  url: string;
}

/** The `fetch` signature used; `globalThis.fetch` fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A cache of responses keyed by URL, as the browser's Cache API (`await caches.open(name)`) is.
 * `delete` is optional; without it a corrupted entry is only replaced by the next download.
 */
export interface WeightsCache {
  match(url: string): Promise<Response | undefined>;
  put(url: string, response: Response): Promise<void>;
  delete?(url: string): Promise<boolean>;
}

/** A mirror: a base URL (rule in the README), or a map from URL prefix to its replacement. */
export type Mirror = string | Readonly<Record<string, string>>;

/** Options of {@link fetchWeights}. Options win over environment variables. */
export interface FetchWeightsOptions {
  /** Node: the cache directory. Default: env `RESNEXT_CACHE_DIR`, else `~/.cache/resnext`. */
  cacheDir?: string;
  /** Never touch the network: serve from the cache or throw an `OfflineError`. Default: env `RESNEXT_OFFLINE` (`1`/`true`). */
  offline?: boolean;
  /** Same as `offline` (the transformers.js / Hugging Face name). */
  localFilesOnly?: boolean;
  /** Fetch every source through a mirror. Default: env `RESNEXT_MIRROR` (a base URL). */
  mirror?: Mirror;
  /** The fetch implementation. Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Per request: fail when no byte arrives for this long (ms). 0 disables. Default 30,000. */
  timeoutMs?: number;
  /**
   * The whole call: fail with a `DownloadError` (reason `deadline`) when downloading has not
   * finished this long (ms) after the call started, however steadily bytes arrive — unlike
   * `timeoutMs`, which only catches silence. Counts every source and resumed request, and (Node)
   * the wait for another process's download of the same file; the partial file is kept for resuming. A download shared with concurrent callers keeps the deadline of the
   * call that started it. 0 disables. Default 3,600,000 (1 hour: 340 MB at 100 KB/s).
   */
  deadlineMs?: number;
  /**
   * The largest file accepted (bytes): a body, or an announced size, beyond it fails with a
   * `DownloadError` (reason `too-large`) before it fills the disk or memory. It matters for sources
   * without a published size (`bytes`), whose size is otherwise whatever the server sends. Default
   * 2 GiB (the largest registry file is about 340 MB).
   */
  maxBytes?: number;
  /** Cancels the call; it then rejects with `signal.reason`. A download shared with other callers continues until all of them cancel. */
  signal?: AbortSignal;
  /**
   * A response cache used instead of the Node disk cache, in any environment. Default in the
   * browser: the Cache API (`caches.open('resnext')`) when available, else no cache.
   */
  cache?: WeightsCache;
  /**
   * Receives non-fatal problems: a corrupted cache entry that is re-downloaded, a cache that
   * refused a write, a source that failed to download (network, HTTP, timeout) before the next
   * source is tried. Default: `console.warn`.
   */
  onWarning?: (problem: Error) => void;
  /** Node: a lock file not refreshed for this long (ms) belongs to a dead process and is broken. Default 30,000. */
  lockStaleMs?: number;
}

/** Default of {@link FetchWeightsOptions.timeoutMs}. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default of {@link FetchWeightsOptions.lockStaleMs}. */
export const DEFAULT_LOCK_STALE_MS = 30_000;
/** Default of {@link FetchWeightsOptions.deadlineMs}. */
export const DEFAULT_DEADLINE_MS = 3_600_000;
/** Default of {@link FetchWeightsOptions.maxBytes}. */
export const DEFAULT_MAX_BYTES = 2 ** 31;
