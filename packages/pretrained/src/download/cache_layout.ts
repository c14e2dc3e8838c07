/**
 * Where a URL lives in the Node cache: `<cacheDir>/<host>/<url path>`, readable and the same layout
 * a mirror uses (see mirror.ts), so a cache directory can be copied to a static server as a mirror.
 */

// After decoding, characters some file system refuses (Windows: `\/:*?"<>|`, controls) are
// percent-encoded again, and `%` too, so that distinct decoded names stay distinct on disk.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f\\/:*?"<>|%]/g;
const percentEncode = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

function safeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    decoded = segment; // a stray `%` is kept (and encoded) as text
  }
  if (decoded === '.' || decoded === '..') return decoded.replace(/\./g, '%2E');
  return decoded.replace(UNSAFE, percentEncode);
}

/**
 * Path segments of a URL's cache entry, relative to the cache directory: the host (with its
 * port, `:` encoded as `%3A`), then the URL path's segments decoded, as a static file server maps
 * them (characters a file system may refuse, and `%`, are percent-encoded). A query string, which
 * file systems cannot hold, becomes `~` and 12 hex digits of its sha256 appended to the file name
 * (`hashQuery`).
 *
 * @throws TypeError when the URL has no file name (its path ends in `/`).
 */
export function cacheSegments(url: string, hashQuery: (query: string) => string): string[] {
  const parsed = new URL(url);
  // The URL parser already resolved `.` and `..`; empty segments (`//`) carry no name.
  const parts = parsed.pathname.split('/').slice(1);
  const name = parts.pop();
  if (name === undefined || name === '') throw new TypeError(`cannot cache ${url}: its path names no file`);
  const query = parsed.search === '' ? '' : `~${hashQuery(parsed.search).slice(0, 12)}`;
  const dirs = parts.filter((p) => p !== '');
  return [safeSegment(parsed.host), ...dirs.map(safeSegment), `${safeSegment(name)}${query}`];
}

/** Suffixes of the files kept next to a cache entry. */
export const SIDECAR = {
  /**
   * An interrupted download: a valid prefix of the file, kept for resuming. No process writes to
   * it: a download claims it by renaming it to its own `.incomplete-<id>` first, and puts it back
   * (closed) when it stops.
   */
  incomplete: '.incomplete',
  /** The ETag or Last-Modified of the response the `.incomplete` came from, sent as If-Range when resuming. */
  validator: '.incomplete.validator',
  /**
   * Followed by `<host>-<pid>-<random>`: the file one download is writing, its own (and its
   * validator, that name plus `.validator`), so that two writers never share a file.
   */
  writing: '.incomplete-',
  /** The full sha256 pinned on the first verified download, checked on every later cache hit. */
  digest: '.sha256',
  /** Held by the process downloading the file. */
  lock: '.lock',
} as const;
