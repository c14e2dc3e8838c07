/**
 * Typed errors of the download and cache layer. Each message names the URL, the file (when there
 * is one) and the problem; the same facts are fields, for programs.
 */

/** Why a download failed. */
export type DownloadFailure =
  /** The server answered with an HTTP error status (`status` is set). */
  | 'http'
  /** No byte arrived for `timeoutMs` (before the headers or between two chunks of the body). */
  | 'timeout'
  /** The connection failed or was closed before the body was complete, or the body was shorter than announced. */
  | 'network'
  /** The download did not finish within `deadlineMs` (a slow but steady server). */
  | 'deadline'
  /** The body is, or is announced to be, larger than `maxBytes`. */
  | 'too-large'
  /** Every source of the weights failed; `attempts` holds each source's error. */
  | 'all-sources-failed';

/** Thrown when weights cannot be downloaded: HTTP error, network failure, timeout. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  /** The URL requested (after any mirror rewrite). */
  readonly url: string;
  readonly reason: DownloadFailure;
  /** The HTTP status, for `reason: 'http'`. */
  readonly status: number | undefined;
  /** The partial file being written (`<entry>.incomplete`), kept for resuming; undefined without a disk cache. */
  readonly file: string | undefined;
  /** For `reason: 'all-sources-failed'`: the error of each source, in the order tried. */
  readonly attempts: readonly Error[];

  constructor(init: {
    url: string;
    reason: DownloadFailure;
    problem: string;
    status?: number;
    file?: string;
    cause?: unknown;
    attempts?: readonly Error[];
  }) {
    super(`${init.url}: ${init.problem}${init.file === undefined ? '' : ` (partial download kept in ${init.file})`}`, { cause: init.cause });
    this.url = init.url;
    this.reason = init.reason;
    this.status = init.status;
    this.file = init.file;
    this.attempts = init.attempts ?? [];
  }
}

/**
 * Which integrity check failed. `structure`: without a digest, the bytes are not a complete
 * safetensors file or zip archive (a PyTorch checkpoint) — e.g. an HTML page or a truncated body.
 */
export type IntegrityCheck = 'size' | 'sha256' | 'sha256Prefix' | 'structure';

/**
 * Thrown when bytes do not match the expected size or sha256, or (without a digest) are not a
 * complete weights file: a bad download (which never enters the cache) or a corrupted cache entry
 * (which is removed). `expected` and `actual` are byte counts for `check: 'size'`, hex digests (or
 * a digest's prefix) for the digest checks, descriptions for `check: 'structure'`.
 */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
  /** For a download, the URL fetched (after any mirror rewrite); for a cache entry, the URL it caches. */
  readonly url: string;
  /** The file checked: the cache entry, or the `.incomplete` download; undefined for a browser cache. */
  readonly file: string | undefined;
  readonly check: IntegrityCheck;
  readonly expected: string | number;
  readonly actual: string | number;
  /** Whether the bad bytes were just downloaded, read back from the cache, or shipped in the package. */
  readonly origin: 'download' | 'cache' | 'package';

  constructor(init: {
    url: string;
    file?: string;
    check: IntegrityCheck;
    expected: string | number;
    actual: string | number;
    origin: 'download' | 'cache' | 'package';
  }) {
    const what = init.check === 'sha256Prefix' ? 'sha256 prefix' : init.check;
    const where =
      init.origin === 'cache'
        ? `cached file ${init.file ?? init.url} is corrupted`
        : init.origin === 'package'
          ? `weights file ${init.file ?? init.url} shipped in @resnext/pretrained is corrupted`
          : `download of ${init.url} is corrupted`;
    const unit = init.check === 'size' ? ' bytes' : '';
    const removed = init.origin === 'cache' ? '; the entry was discarded' : init.origin === 'package' ? '; reinstall the package' : '; nothing was cached';
    const detail = init.check === 'structure' ? `${init.actual}, not ${init.expected}` : `${what} expected ${init.expected}${unit}, got ${init.actual}${unit}`;
    super(`${where}: ${detail}${removed}`);
    this.url = init.url;
    this.file = init.file;
    this.check = init.check;
    this.expected = init.expected;
    this.actual = init.actual;
    this.origin = init.origin;
  }
}

/** Thrown in offline mode when none of the sources of the weights is in the cache. */
export class OfflineError extends Error {
  override name = 'OfflineError';
  /** The canonical URLs looked up. */
  readonly urls: readonly string[];
  /** Where each was looked for: cache file paths in Node, `cache:<url>` for a Cache API / user cache. */
  readonly searched: readonly string[];

  constructor(urls: readonly string[], searched: readonly string[]) {
    const list = searched.join(', ');
    super(`offline and not cached: ${urls.join(', ')} (looked in ${list}); run once online or copy the file there`);
    this.urls = urls;
    this.searched = searched;
  }
}

/** What is wrong with the cache directory (Node). */
export type CacheProblem =
  /** A component of the path is a file where a directory is needed (`ENOTDIR`, `EEXIST`). */
  | 'not-a-directory'
  /** A cache entry's path is a directory (`EISDIR`). */
  | 'is-a-directory'
  /** The cache cannot be written (`EACCES`, `EPERM`, `EROFS`). */
  | 'not-writable'
  /** The disk or quota is full (`ENOSPC`, `EDQUOT`). */
  | 'full';

const CACHE_ADVICE: Readonly<Record<CacheProblem, string>> = {
  'not-a-directory': 'a file is in the way of a cache directory: remove it, or choose another cacheDir (option cacheDir, env RESNEXT_CACHE_DIR)',
  'is-a-directory': 'a directory is in the way of a cache file: remove it (it is not something the cache wrote)',
  'not-writable': 'the cache is not writable: fix its permissions, or set cacheDir (env RESNEXT_CACHE_DIR) to a writable directory',
  full: 'the disk is full: free some space, or set cacheDir (env RESNEXT_CACHE_DIR) to a directory on another disk',
};

/**
 * Thrown when the Node disk cache cannot be used as a directory of files: its directory is a file,
 * it is read-only, an entry's path is a directory, the disk is full. The message names the path and
 * what to do; the file system's error is the `cause`.
 */
export class CacheError extends Error {
  override name = 'CacheError';
  /** The path the file system refused. */
  readonly path: string;
  readonly problem: CacheProblem;
  /** The file system's error code (`ENOTDIR`, `EACCES`, …). */
  readonly code: string;

  constructor(init: { path: string; problem: CacheProblem; code: string; cause?: unknown }) {
    super(`cache path ${init.path} is unusable (${init.code}): ${CACHE_ADVICE[init.problem]}`, { cause: init.cause });
    this.path = init.path;
    this.problem = init.problem;
    this.code = init.code;
  }
}
