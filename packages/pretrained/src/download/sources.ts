import { DownloadError, IntegrityError, OfflineError } from './errors.js';
import type { Participant } from './in_flight.js';
import { hasDigest } from './integrity.js';
import { applyMirror } from './mirror.js';
import type { Mirror, WeightsFileSpec } from './options.js';
import type { WeightsStore } from './store.js';

/** Which source was used, and whether it came from the cache. */
export interface Resolved<T, S> {
  value: T;
  source: S;
  fromCache: boolean;
}

/** How {@link resolveSources} behaves. */
export interface ResolveSettings {
  offline: boolean;
  mirror: Mirror | undefined;
  participant: Participant;
  warn: (problem: Error) => void;
}

/**
 * Finds the weights among `sources` (mirrors of one another): first any source already in the
 * cache, in order, so a cached mirror is used before the network is touched; then downloads, in
 * order, moving to the next source on a `DownloadError` or `IntegrityError`, with a warning.
 * Once a source with a digest has failed its integrity check, sources without one are no longer
 * tried: bytes that failed a check must not be replaced by bytes that cannot be checked. A passed
 * deadline and other errors (file system, cancellation) end the call at once, since the next
 * source would meet them too.
 *
 * @throws OfflineError offline with nothing cached; IntegrityError offline when the only entries
 *   found were corrupted; the single source's error, or a `DownloadError` with reason
 *   `all-sources-failed` listing every source's error.
 */
export async function resolveSources<T, S extends WeightsFileSpec>(store: WeightsStore<T>, sources: readonly S[], settings: ResolveSettings): Promise<Resolved<T, S>> {
  const fetchUrls = sources.map((s) => applyMirror(s.url, settings.mirror));
  const searched: string[] = [];
  const corrupted: IntegrityError[] = [];
  for (const source of sources) {
    const found = await store.lookup(source.url, source);
    if (found.kind === 'hit') return { value: found.value, source, fromCache: true };
    if (found.kind === 'missing') searched.push(found.where);
    else {
      corrupted.push(found.error);
      searched.push(found.error.file ?? `cache:${source.url}`);
      if (!settings.offline) settings.warn(found.error);
    }
  }
  if (settings.offline) {
    if (corrupted[0] !== undefined) throw corrupted[0];
    throw new OfflineError(sources.map((s) => s.url), searched);
  }

  const failures: Error[] = [];
  const skipped: string[] = [];
  let checkFailed = false;
  const eligible = (i: number): boolean => !checkFailed || hasDigest(sources[i]!);
  for (const [i, source] of sources.entries()) {
    const fetchUrl = fetchUrls[i]!;
    if (!eligible(i)) {
      skipped.push(fetchUrl);
      settings.warn(new Error(`not trying ${fetchUrl}: it has no digest, and a source with one failed its integrity check`));
      continue;
    }
    try {
      const { value, fromCache } = await store.download(source.url, fetchUrl, source, settings.participant);
      return { value, source, fromCache };
    } catch (error) {
      if (!(error instanceof DownloadError || error instanceof IntegrityError)) throw error;
      if (error instanceof DownloadError && error.reason === 'deadline') throw error;
      failures.push(error);
      if (error instanceof IntegrityError && hasDigest(source)) checkFailed = true;
      const next = sources.findIndex((_, k) => k > i && eligible(k));
      if (next >= 0) settings.warn(new Error(`${error.message}; trying the next source, ${fetchUrls[next]}`, { cause: error }));
    }
  }
  if (failures.length === 1) throw failures[0]!;
  const refused = skipped.length === 0 ? '' : ` (not tried, having no digest to check after an integrity failure: ${skipped.join(', ')})`;
  const list = failures.map((e) => e.message).join('; ');
  throw new DownloadError({ url: fetchUrls[0]!, reason: 'all-sources-failed', problem: `all ${failures.length} sources tried failed: ${list}${refused}`, attempts: failures });
}
