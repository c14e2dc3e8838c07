// Servers that misbehave, on purpose or not, against both stores: the Node disk cache and a
// response cache (the browser path). Nothing unverified may be returned, cached, or kept cached.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { MemoryCache } from '../testing/memory_cache.js';
import { safetensorsBody } from '../testing/weights_bodies.js';
import { DownloadError, IntegrityError } from './errors.js';
import { fetchWeights, fetchWeightsWithSource } from './fetch_weights.js';
import type { FetchWeightsOptions } from './options.js';
import { PINNED_DIGEST_HEADER } from './response_store.js';

const server = await startLoopbackServer();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const exists = (file: string): Promise<boolean> => fs.stat(file).then(() => true, () => false);
const CAPTIVE_PORTAL = '<!DOCTYPE html><html><body>Please sign in to the hotel Wi-Fi</body></html>';

let dir: string;
let route = 0;
const freshPath = (name = 'model.safetensors'): string => `/h${++route}/${name}`;
const entry = (urlPath: string): string => path.join(dir, hostDir, ...urlPath.split('/').filter(Boolean));
const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('resolved'), (e: unknown) => e);
/** Files left next to an entry (none when its directory was never made). */
const filesNextTo = (urlPath: string): Promise<string[]> => fs.readdir(path.dirname(entry(urlPath))).then((names) => names.sort(), () => []);

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-hostile-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Both stores, each with a fresh cache, and how to tell whether a URL's entry exists. */
const stores = [
  { name: 'disk cache', make: () => ({ options: { cacheDir: dir } as FetchWeightsOptions, has: (p: string) => exists(entry(p)) }) },
  {
    name: 'response cache',
    make: () => {
      const cache = new MemoryCache();
      return { options: { cache } as FetchWeightsOptions, has: (p: string) => Promise.resolve(cache.entries.has(server.url(p))) };
    },
  },
] as const;

describe.each(stores)('sources with and without a digest ($name)', ({ make }) => {
  it('never falls back to a source without a digest after one with a digest fails its check', async () => {
    const good = safetensorsBody(20_000, 1);
    const checked = freshPath('resnext-12345678.pth');
    const twin = freshPath();
    server.serve(checked, safetensorsBody(20_000, 2)); // not the published bytes
    server.serve(twin, safetensorsBody(20_000, 3));
    const { options, has } = make();
    const warnings: Error[] = [];
    const sources = [{ url: server.url(checked), sha256Prefix: sha256(good).slice(0, 8) }, { url: server.url(twin) }];
    const error = await failure(fetchWeights({ sources }, { ...options, onWarning: (w) => warnings.push(w) }));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ check: 'sha256Prefix', origin: 'download', url: server.url(checked) });
    expect(server.count(twin)).toBe(0);
    expect(await has(twin)).toBe(false);
    expect(warnings.map((w) => w.message)).toEqual([`not trying ${server.url(twin)}: it has no digest, and a source with one failed its integrity check`]);
  });

  it('counts a body shorter than the published size as an integrity failure, not a network one', async () => {
    const body = safetensorsBody(20_000, 18);
    const checked = freshPath('short.pth');
    const twin = freshPath();
    // Chunked, so only the record knows the size: this is another (shorter) file, not a cut connection.
    server.serve(checked, body, { misbehave: [{ chunkedPrefix: 12_000 }] });
    server.serve(twin, body);
    const { options } = make();
    const sources = [{ url: server.url(checked), sha256: sha256(body), bytes: body.byteLength }, { url: server.url(twin) }];
    const error = await failure(fetchWeights({ sources }, { ...options, onWarning: () => undefined }));
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'size', expected: 20_000, actual: 12_000 });
    expect(server.count(twin)).toBe(0);
  });

  it('still tries a later source with a digest, and falls back after a network failure with a warning', async () => {
    const body = safetensorsBody(20_000, 4);
    const [tampered, mirror, down, twin] = [freshPath('a.pth'), freshPath('b.pth'), freshPath('c.pth'), freshPath()];
    server.serve(tampered, safetensorsBody(20_000, 5));
    server.serve(mirror, body);
    server.serve(down, body, { misbehave: [{ status: 503 }] });
    server.serve(twin, body);
    const { options } = make();
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    const digest = sha256(body);
    const found = await fetchWeightsWithSource({ sources: [{ url: server.url(tampered), sha256: digest }, { url: server.url(mirror), sha256: digest }] }, { ...options, onWarning });
    expect(found.source.url).toBe(server.url(mirror));
    expect(warnings[0]).toMatchObject({ cause: { name: 'IntegrityError', check: 'sha256' } });

    const fallback = await fetchWeightsWithSource({ sources: [{ url: server.url(down), sha256: digest }, { url: server.url(twin) }] }, { ...options, onWarning });
    expect(fallback.source.url).toBe(server.url(twin));
    expect(warnings[1]!.message).toBe(`${server.url(down)}: HTTP 503 Service Unavailable; trying the next source, ${server.url(twin)}`);
  });
});

describe.each(stores)('bytes without a digest ($name)', ({ make }) => {
  it('rejects an HTML page answered with 200, naming the URL, and caches nothing', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(5000, 6), { misbehave: [{ html: CAPTIVE_PORTAL }] });
    const { options, has } = make();
    const error = await failure(fetchWeights({ url: server.url(p) }, options));
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'structure', origin: 'download', url: server.url(p) });
    expect((error as Error).message).toContain(server.url(p));
    expect((error as Error).message).toContain('an HTML/XML page starting "<!DOCTYPE html><html><body>Pleas…" (74 bytes)');
    expect(await has(p)).toBe(false);
    expect(await filesNextTo(p)).toEqual([]);
  });

  it('rejects a chunked body that ends early but cleanly', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(50_000, 7), { misbehave: [{ chunkedPrefix: 30_000 }] });
    const { options, has } = make();
    const error = await failure(fetchWeights({ url: server.url(p) }, options));
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'structure' });
    expect((error as Error).message).toMatch(/safetensors file of 30000 bytes whose header announces 50000 bytes/);
    expect(await has(p)).toBe(false);
  });

  it('rejects a body shorter than its Content-Length says (the connection closes early)', async () => {
    const p = freshPath();
    const body = safetensorsBody(20_000, 8);
    // Every answer is broken, so resuming cannot help.
    server.serve(p, body, { misbehave: [1, 2, 3, 4].map(() => ({ contentLength: 40_000 })) });
    const { options, has } = make();
    const error = await failure(fetchWeights({ url: server.url(p) }, options));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'network', url: server.url(p) });
    expect(await has(p)).toBe(false);
  });
});

describe('cached entries without a digest', () => {
  it('disk: an entry that is not a complete weights file is discarded, naming the cache file', async () => {
    const p = freshPath();
    const body = safetensorsBody(8000, 9);
    server.serve(p, body);
    // As an earlier version left it: a portal page, pinned.
    await fs.mkdir(path.dirname(entry(p)), { recursive: true });
    await fs.writeFile(entry(p), CAPTIVE_PORTAL);
    await fs.writeFile(`${entry(p)}.sha256`, `${sha256(new TextEncoder().encode(CAPTIVE_PORTAL))}  model.safetensors\n`);

    const offline = await failure(fetchWeights({ url: server.url(p) }, { cacheDir: dir, offline: true }));
    expect(offline).toMatchObject({ name: 'IntegrityError', check: 'structure', origin: 'cache', file: entry(p) });
    expect((offline as Error).message).toContain(`cached file ${entry(p)} is corrupted`);
    expect(await filesNextTo(p)).toEqual([]);
    expect(server.count(p)).toBe(0);

    await fs.writeFile(entry(p), CAPTIVE_PORTAL);
    const warnings: Error[] = [];
    const bytes = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, onWarning: (w) => warnings.push(w) });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(warnings).toMatchObject([{ name: 'IntegrityError', check: 'structure', file: entry(p) }]);
    expect(await filesNextTo(p)).toEqual(['model.safetensors', 'model.safetensors.sha256']);
  });

  it('response cache: an entry that is not a complete weights file is deleted', async () => {
    const p = freshPath();
    const body = safetensorsBody(8000, 10);
    server.serve(p, body);
    const cache = new MemoryCache();
    const page = new TextEncoder().encode(CAPTIVE_PORTAL);
    await cache.put(server.url(p), new Response(page, { headers: { [PINNED_DIGEST_HEADER]: sha256(page) } }));
    const offline = await failure(fetchWeights({ url: server.url(p) }, { cache, offline: true }));
    expect(offline).toMatchObject({ name: 'IntegrityError', check: 'structure', origin: 'cache' });
    expect(cache.entries.has(server.url(p))).toBe(false);
    await cache.put(server.url(p), new Response(page));
    const warnings: Error[] = [];
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cache, onWarning: (w) => warnings.push(w) }))).toBe(sha256(body));
    expect(warnings).toMatchObject([{ name: 'IntegrityError', check: 'structure' }]);
  });
});

describe('partial responses (disk cache)', () => {
  it('resumes after a 206 that ends before the total its Content-Range announces', async () => {
    const p = freshPath();
    const body = safetensorsBody(100_000, 11);
    server.serve(p, body, { etag: '"s1"', misbehave: [{ partial: { start: 40_000, end: 59_999, total: 100_000 } }] });
    await fs.mkdir(path.dirname(entry(p)), { recursive: true });
    await fs.writeFile(`${entry(p)}.incomplete`, body.subarray(0, 40_000));
    await fs.writeFile(`${entry(p)}.incomplete.validator`, '"s1"');
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(p).map((r) => r.range)).toEqual(['bytes=40000-', 'bytes=60000-']);
    expect(await filesNextTo(p)).toEqual(['model.safetensors', 'model.safetensors.sha256']);
  });

  it('fails with a short-body DownloadError when every 206 is short, and caches nothing', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(100_000, 12), { misbehave: [1, 2, 3, 4].map(() => ({ partial: { start: 0, end: 999, total: 100_000 } })) });
    const error = await failure(fetchWeights({ url: server.url(p) }, { cacheDir: dir }));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'network', url: server.url(p) });
    expect((error as Error).message).toContain('short body: the file ends at 1000 of the 100000 bytes announced by Content-Range');
    expect(await exists(entry(p))).toBe(false);
  });

  it('refuses a 206 for a range it did not ask for', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(10_000, 13), { misbehave: [{ partial: { start: 5000, end: 9999, total: 10_000 } }] });
    const error = await failure(fetchWeights({ url: server.url(p) }, { cacheDir: dir }));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'http', status: 206 });
    expect((error as Error).message).toContain('Content-Range bytes 5000-9999/10000');
    expect(await exists(entry(p))).toBe(false);
  });
});

describe.each(stores)('limits ($name)', ({ make }) => {
  it('stops a slow but steady download at deadlineMs, unlike timeoutMs', async () => {
    const p = freshPath();
    // 100 chunks of 1000 bytes, one every 20 ms: 2 s in all, never silent for timeoutMs.
    server.serve(p, safetensorsBody(100_000, 14), { misbehave: [{ slow: { chunkBytes: 1000, everyMs: 20 } }] });
    const { options, has } = make();
    const started = performance.now();
    const error = await failure(fetchWeights({ url: server.url(p) }, { ...options, timeoutMs: 1000, deadlineMs: 300 }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'deadline', url: server.url(p) });
    expect((error as Error).message).toContain('not finished within the 300 ms deadline (deadlineMs)');
    expect(elapsed).toBeLessThan(1500);
    expect(server.count(p)).toBe(1);
    expect(await has(p)).toBe(false);
  });

  it('stops an endless body of unknown size at maxBytes and keeps none of it', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(1000, 15), { misbehave: [{ endless: true }] });
    const { options, has } = make();
    const error = await failure(fetchWeights({ url: server.url(p) }, { ...options, maxBytes: 500_000 }));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'too-large', url: server.url(p) });
    expect((error as Error).message).toContain('over the 500000-byte limit (maxBytes)');
    expect(await has(p)).toBe(false);
    expect(await filesNextTo(p)).toEqual([]);
  }, 10_000);

  it('refuses a file whose announced size is over maxBytes before reading it', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(300_000, 16));
    const { options, has } = make();
    const progress: number[] = [];
    const error = await failure(fetchWeights({ url: server.url(p) }, { ...options, maxBytes: 100_000, onProgress: (e) => progress.push(e.loaded) }));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'too-large' });
    expect((error as Error).message).toContain('announces 300000 bytes');
    expect(progress).toEqual([]);
    expect(await has(p)).toBe(false);
  });
});

describe('redirects', () => {
  it('gives up on a redirect loop with a DownloadError naming the URL', async () => {
    const p = freshPath();
    server.serve(p, safetensorsBody(1000, 17), { redirectTo: p });
    const error = await failure(fetchWeights({ url: server.url(p) }, { cacheDir: dir }));
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'network', url: server.url(p) });
    expect((error as Error).message).toMatch(/redirect/i);
    expect(server.count(p)).toBeGreaterThan(1);
    expect(await exists(entry(p))).toBe(false);
  });
});
