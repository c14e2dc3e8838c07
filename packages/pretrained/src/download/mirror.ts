import type { Mirror } from './options.js';

/**
 * The URL to fetch for a source URL under a mirror.
 *
 * - A base URL `M`: `M/<host><path><query>` of the source URL; e.g. with `M = https://m.example/w`,
 *   `https://download.pytorch.org/models/x.pth` → `https://m.example/w/download.pytorch.org/models/x.pth`.
 *   The host stays in the path so one mirror serves every origin without collisions, and a static
 *   server over a copy of a Node cache directory is such a mirror (same `<host>/<path>` layout).
 * - A map `{ prefix: replacement }`: the longest prefix the URL starts with is replaced; a URL
 *   matching no prefix is fetched unchanged.
 *
 * @throws TypeError if a base URL is not an absolute URL.
 */
export function applyMirror(url: string, mirror: Mirror | undefined): string {
  if (mirror === undefined) return url;
  if (typeof mirror === 'string') {
    try {
      new URL(mirror);
    } catch (cause) {
      throw new TypeError(`mirror "${mirror}" is not an absolute URL`, { cause });
    }
    const source = new URL(url);
    return `${mirror.replace(/\/+$/, '')}/${source.host}${source.pathname}${source.search}`;
  }
  let best: string | undefined;
  for (const prefix of Object.keys(mirror)) {
    if (url.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? url : `${mirror[best]}${url.slice(best.length)}`;
}
