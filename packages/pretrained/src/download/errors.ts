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
  /** The connection failed or was closed before the body was complete. */
  | 'network'
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

/** Which integrity check failed. */
export type IntegrityCheck = 'size' | 'sha256' | 'sha256Prefix';

/**
 * Thrown when bytes do not match the expected size or sha256: a bad download (which never enters
 * the cache) or a corrupted cache entry (which is removed). `expected` and `actual` are byte counts
 * for `check: 'size'`, hex digests (or a digest's prefix) otherwise.
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
    const what = init.check === 'size' ? 'size' : init.check === 'sha256' ? 'sha256' : 'sha256 prefix';
    const where =
      init.origin === 'cache'
        ? `cached file ${init.file ?? init.url} is corrupted`
        : init.origin === 'package'
          ? `weights file ${init.file ?? init.url} shipped in @resnext/pretrained is corrupted`
          : `download of ${init.url} is corrupted`;
    const unit = init.check === 'size' ? ' bytes' : '';
    const removed = init.origin === 'cache' ? '; the entry was discarded' : init.origin === 'package' ? '; reinstall the package' : '; nothing was cached';
    super(`${where}: ${what} expected ${init.expected}${unit}, got ${init.actual}${unit}${removed}`);
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
