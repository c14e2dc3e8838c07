// Hostile servers and caches against @resnext/pretrained's downloads: each case must end in a
// typed error naming the problem, with nothing unverified returned or cached.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fetchWeights, fetchWeightsToPath } from '@resnext/pretrained';
import { modes, safetensors, withServer } from './http_modes.mjs';

const FILE = '/w/model.safetensors';
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Settles `promise` and throws what it rejected with; resolving is a failure of the case. */
async function mustReject(promise, what) {
  await promise;
  throw new Error(`accepted ${what}`);
}

/** As mustReject, then `check` (which throws when the call left something behind) before the call's error is rethrown. */
async function mustRejectThenCheck(promise, what, check) {
  const error = await mustReject(promise, what).catch((e) => e);
  await check();
  throw error;
}

/** Throws if anything but nothing, or only `allowed` names, is next to the cache entry. */
async function expectNothingCached(dir, server, urlPath, allowed = []) {
  const entryDir = path.join(dir, server.hostDir, ...urlPath.split('/').filter(Boolean).slice(0, -1));
  const names = await fs.readdir(entryDir).catch(() => []);
  const unexpected = names.filter((n) => !allowed.some((a) => n.endsWith(a)));
  if (unexpected.length > 0) throw new Error(`left in the cache: ${unexpected.join(', ')}`);
}

/** Runs `call` against the server and rethrows its error once the cache is checked empty. */
async function failsCachingNothing(dir, server, urlPath, call, what, allowed) {
  try {
    await mustReject(call(), what);
  } catch (error) {
    await expectNothingCached(dir, server, urlPath, allowed);
    throw error;
  }
}

/** A response cache in memory with the Cache API's semantics (the browser path). */
function memoryCache() {
  const entries = new Map();
  return {
    entries,
    match: async (url) => entries.get(url)?.clone(),
    put: async (url, response) => void entries.set(url, response),
    delete: async (url) => entries.delete(url),
  };
}

export const cases = [
  {
    id: 'integrity-downgrade-to-digestless-twin',
    about: 'a source with a published digest serves other bytes; its digest-less twin must not be tried',
    async run({ dir }) {
      const good = safetensors(20_000, 1);
      const routes = { '/tv/resnext-12345678.pth': modes.ok(safetensors(20_000, 2)), [FILE]: modes.ok(safetensors(20_000, 3)) };
      await withServer(routes, async (server) => {
        const sources = [{ url: server.url('/tv/resnext-12345678.pth'), sha256Prefix: sha256(good).slice(0, 8) }, { url: server.url(FILE) }];
        await mustRejectThenCheck(fetchWeights({ sources }, { cacheDir: dir, onWarning: () => undefined }), 'a digest-less source after an integrity failure', () => {
          if (server.count(FILE) > 0) throw new Error('the digest-less twin was requested after the integrity failure');
        });
      });
    },
    expect: { name: 'IntegrityError', message: /sha256 prefix expected [0-9a-f]{8}, got/ },
  },
  {
    id: 'short-206-no-digest',
    about: 'a download answered with fewer bytes than its Content-Range announces, every time',
    async run({ dir }) {
      const body = safetensors(100_000);
      await withServer({ [FILE]: modes.partial(body, 0, 999) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a short 206', ['.incomplete']),
      );
    },
    expect: { name: 'DownloadError', message: /short body: the file ends at 1000 of the 100000 bytes announced by Content-Range/ },
  },
  {
    id: 'wrong-206-range',
    about: 'a 206 for a range that was never asked for',
    async run({ dir }) {
      const body = safetensors(10_000);
      await withServer({ [FILE]: modes.partial(body, 5000, 9999) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'an unrequested 206'),
      );
    },
    expect: { name: 'DownloadError', message: /unrequested or malformed partial response \(Content-Range bytes 5000-9999\/10000\)/ },
  },
  {
    id: 'html-200-no-digest',
    about: 'a captive portal answers the weights URL with its HTML sign-in page and status 200',
    async run({ dir }) {
      await withServer({ [FILE]: modes.html() }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'an HTML page as weights'),
      );
    },
    expect: { name: 'IntegrityError', message: /is corrupted: an HTML\/XML page starting "<!DOCTYPE html>.*not a complete safetensors file or zip archive/ },
  },
  {
    id: 'html-200-no-digest-response-cache',
    about: 'the same captive portal page through the browser path (a Cache API-like cache): not stored',
    async run() {
      const cache = memoryCache();
      await withServer({ [FILE]: modes.html() }, async (server) => {
        await mustRejectThenCheck(fetchWeights({ url: server.url(FILE) }, { cache }), 'an HTML page as weights', () => {
          if (cache.entries.size > 0) throw new Error('the page was stored in the response cache');
        });
      });
    },
    expect: { name: 'IntegrityError', message: /an HTML\/XML page starting/ },
  },
  {
    id: 'truncated-chunked-no-digest',
    about: 'a chunked body (no Content-Length) that ends cleanly after 30,000 of 50,000 bytes',
    async run({ dir }) {
      const body = safetensors(50_000);
      await withServer({ [FILE]: modes.chunkedPrefix(body, 30_000) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a truncated body'),
      );
    },
    expect: { name: 'IntegrityError', message: /safetensors file of 30000 bytes whose header announces 50000 bytes/ },
  },
  {
    id: 'wrong-content-length',
    about: 'every answer announces 40,000 bytes and sends 20,000 before closing',
    async run({ dir }) {
      const body = safetensors(20_000);
      await withServer({ [FILE]: modes.wrongLength(body, 40_000) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a body shorter than its Content-Length', ['.incomplete']),
      );
    },
    expect: { name: 'DownloadError', message: /connection (closed|failed) after/ },
  },
  {
    id: 'drop-mid-body',
    about: 'every answer drops the connection after 10,000 of 50,000 bytes',
    async run({ dir }) {
      const body = safetensors(50_000);
      await withServer({ [FILE]: modes.drop(body, 10_000) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a dropped body', ['.incomplete']),
      );
    },
    expect: { name: 'DownloadError', message: /connection (closed|failed) after/ },
  },
  {
    id: 'stall-after-headers',
    about: 'headers, then silence: the idle timeout (timeoutMs) ends it',
    async run({ dir }) {
      await withServer({ [FILE]: modes.stall(safetensors(10_000)) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir, timeoutMs: 300 }), 'a stalled body', ['.incomplete']),
      );
    },
    expect: { name: 'DownloadError', message: /timed out: no data for 300 ms/ },
  },
  {
    id: 'slow-but-steady',
    about: 'a body that never goes silent but would take 10 s: the overall deadline (deadlineMs) ends it',
    async run({ dir }) {
      await withServer({ [FILE]: modes.slow(safetensors(100_000), 1000, 100) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir, timeoutMs: 1000, deadlineMs: 400 }), 'a download past its deadline', ['.incomplete']),
      );
    },
    expect: { name: 'DownloadError', message: /not finished within the 400 ms deadline \(deadlineMs\)/ },
  },
  {
    id: 'redirect-loop',
    about: 'the weights URL redirects to itself',
    async run({ dir }) {
      await withServer({ [FILE]: modes.redirect(FILE) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a redirect loop'),
      );
    },
    expect: { name: 'DownloadError', message: /redirect/ },
  },
  {
    id: 'endless-body',
    about: 'a body without Content-Length that never ends: the byte cap (maxBytes) stops it and nothing stays on disk',
    async run({ dir }) {
      await withServer({ [FILE]: modes.endless() }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir, maxBytes: 1_000_000 }), 'an endless body'),
      );
    },
    expect: { name: 'DownloadError', message: /sent more than 1000000 bytes, over the 1000000-byte limit \(maxBytes\)/ },
  },
  {
    id: 'announced-10-gb',
    about: 'a Content-Length of 10 GB is refused by the default byte cap before any byte is read',
    async run({ dir }) {
      await withServer({ [FILE]: modes.announce(10 * 2 ** 30) }, (server) =>
        failsCachingNothing(dir, server, FILE, () => fetchWeights({ url: server.url(FILE) }, { cacheDir: dir }), 'a 10 GB file'),
      );
    },
    expect: { name: 'DownloadError', message: /announces 10737418240 bytes, over the 2147483648-byte limit/ },
  },
  {
    id: 'poisoned-cache-entry-offline',
    about: 'an HTML page pinned in the cache by an earlier version: rejected, removed, the cache file named',
    async run({ dir }) {
      const file = path.join(dir, '127.0.0.1%3A9', 'w', 'model.safetensors');
      const page = '<!DOCTYPE html><html><body>Please sign in</body></html>';
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, page);
      await fs.writeFile(`${file}.sha256`, `${sha256(page)}  model.safetensors\n`);
      await mustRejectThenCheck(fetchWeights({ url: `http://127.0.0.1:9${FILE}` }, { cacheDir: dir, offline: true }), 'a pinned HTML page', async () => {
        const left = await fs.readdir(path.dirname(file));
        if (left.length > 0) throw new Error(`the bad entry stayed: ${left.join(', ')}`);
      });
    },
    expect: { name: 'IntegrityError', message: /cached file .*model\.safetensors is corrupted: an HTML\/XML page.*the entry was discarded/ },
  },
  {
    id: 'cache-dir-is-a-file',
    about: 'cacheDir names a file',
    async run({ dir }) {
      const cacheDir = path.join(dir, 'cache');
      await fs.writeFile(cacheDir, 'a file');
      await withServer({ [FILE]: modes.ok(safetensors(1000)) }, (server) => mustReject(fetchWeights({ url: server.url(FILE) }, { cacheDir }), 'a file as cache directory'));
    },
    expect: { name: 'CacheError', message: /cache path .*cache is unusable \(ENOTDIR\): a file is in the way of a cache directory/ },
  },
  {
    id: 'cache-entry-is-a-directory',
    about: 'a directory sits where a cache entry belongs',
    async run({ dir }) {
      await withServer({ [FILE]: modes.ok(safetensors(1000)) }, async (server) => {
        await fs.mkdir(path.join(dir, server.hostDir, 'w', 'model.safetensors'), { recursive: true });
        await mustReject(fetchWeightsToPath({ url: server.url(FILE) }, { cacheDir: dir }), 'a directory as cache entry');
      });
    },
    expect: { name: 'CacheError', message: /model\.safetensors is unusable \(EISDIR\): a directory is in the way of a cache file/ },
  },
];
