// The browser path (a response cache instead of the disk), driven in Node through `options.cache`.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { MemoryCache } from '../testing/memory_cache.js';
// Bodies are complete safetensors files: without a digest, nothing else is cached.
import { safetensorsBody as bytesOf } from '../testing/weights_bodies.js';
import { DownloadError, IntegrityError, OfflineError } from './errors.js';
import { fetchWeights, fetchWeightsWithSource } from './fetch_weights.js';
import type { FetchLike, WeightsCache } from './options.js';
import { PINNED_DIGEST_HEADER, defaultResponseCache } from './response_store.js';

const server = await startLoopbackServer();

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let route = 0;
const freshPath = (): string => `/b${++route}/model.safetensors`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('fetchWeights with a response cache (browser path)', () => {
  it('stores the download with its digest pinned, then serves it from the cache', async () => {
    const body = bytesOf(120_000, 1);
    const p = freshPath();
    server.serve(p, body);
    const cache = new MemoryCache();
    const progress: number[] = [];
    const first = await fetchWeightsWithSource({ url: server.url(p) }, { cache, onProgress: (e) => progress.push(e.loaded) });
    expect(first.fromCache).toBe(false);
    expect(sha256(first.bytes)).toBe(sha256(body));
    expect(progress.at(-1)).toBe(body.byteLength);
    const stored = await cache.match(server.url(p));
    expect(stored?.headers.get(PINNED_DIGEST_HEADER)).toBe(sha256(body));
    expect(sha256(new Uint8Array(await stored!.arrayBuffer()))).toBe(sha256(body));

    const second = await fetchWeightsWithSource({ url: server.url(p) }, { cache });
    expect(second.fromCache).toBe(true);
    expect(sha256(second.bytes)).toBe(sha256(body));
    expect(server.count(p)).toBe(1);
  });

  it('detects a corrupted entry: re-downloads online, throws offline', async () => {
    const body = bytesOf(10_000, 2);
    const p = freshPath();
    server.serve(p, body);
    const cache = new MemoryCache();
    await fetchWeights({ url: server.url(p) }, { cache });
    const corrupt = (): Promise<void> =>
      cache.put(server.url(p), new Response(bytesOf(10_000, 3), { headers: { [PINNED_DIGEST_HEADER]: sha256(body) } }));

    await corrupt();
    const warnings: Error[] = [];
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cache, onWarning: (w) => warnings.push(w) }))).toBe(sha256(body));
    expect(warnings[0]).toMatchObject({ name: 'IntegrityError', check: 'sha256', expected: sha256(body), origin: 'cache' });
    expect(server.count(p)).toBe(2);

    await corrupt();
    const error = await fetchWeights({ url: server.url(p) }, { cache, offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toContain(server.url(p));
    expect(cache.entries.has(server.url(p))).toBe(false);
  });

  it('offline with an empty cache: OfflineError, no request', async () => {
    const p = freshPath();
    server.serve(p, bytesOf(128, 4));
    const error = await fetchWeights({ url: server.url(p) }, { cache: new MemoryCache(), offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect(error).toMatchObject({ searched: [`cache:${server.url(p)}`] });
    expect(server.count(p)).toBe(0);
  });

  it('never caches a download with the wrong digest', async () => {
    const p = freshPath();
    server.serve(p, bytesOf(5000, 5));
    const cache = new MemoryCache();
    const error = await fetchWeights({ url: server.url(p), sha256: sha256(bytesOf(5000, 6)) }, { cache }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'sha256', origin: 'download' });
    expect(cache.entries.size).toBe(0);
  });

  it('still returns the bytes when the cache refuses to store them', async () => {
    const body = bytesOf(3000, 7);
    const p = freshPath();
    server.serve(p, body);
    const full: WeightsCache = { match: () => Promise.resolve(undefined), put: () => Promise.reject(new Error('QuotaExceededError')) };
    const warnings: Error[] = [];
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cache: full, onWarning: (w) => warnings.push(w) }))).toBe(sha256(body));
    expect(warnings.map((w) => w.message)).toEqual([`could not cache ${server.url(p)}: QuotaExceededError`]);
  });

  it('shares one download between concurrent calls and uses the custom fetch', async () => {
    const body = bytesOf(90_000, 8);
    const p = freshPath();
    server.serve(p, body);
    const calls: string[] = [];
    const fetch: FetchLike = (url, init) => {
      calls.push(url);
      return globalThis.fetch(url, init);
    };
    const cache = new MemoryCache();
    const results = await Promise.all([1, 2, 3].map(() => fetchWeights({ url: server.url(p) }, { cache, fetch })));
    expect(calls).toEqual([server.url(p)]);
    for (const r of results) expect(sha256(r)).toBe(sha256(body));
  });

  it('reports HTTP errors and stalls as DownloadError', async () => {
    const broken = freshPath();
    server.serve(broken, bytesOf(128, 9), { misbehave: [{ status: 503 }] });
    const stalled = freshPath();
    server.serve(stalled, bytesOf(50_000, 10), { misbehave: [{ stallAfter: 16_384 }] });
    const cache = new MemoryCache();
    await expect(fetchWeights({ url: server.url(broken) }, { cache })).rejects.toMatchObject({ name: 'DownloadError', status: 503 });
    const error = await fetchWeights({ url: server.url(stalled) }, { cache, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'timeout', url: server.url(stalled) });
    expect(cache.entries.size).toBe(0);
  });
});

describe('defaultResponseCache', () => {
  it("opens the Cache API's 'resnext' cache when there is one", async () => {
    expect(await defaultResponseCache()).toBeUndefined(); // Node has no Cache API
    const cache = new MemoryCache();
    const open = vi.fn((_name: string) => Promise.resolve(cache));
    vi.stubGlobal('caches', { open });
    expect(await defaultResponseCache()).toBe(cache);
    expect(open).toHaveBeenCalledWith('resnext');
    vi.stubGlobal('caches', { open: () => Promise.reject(new Error('SecurityError')) });
    expect(await defaultResponseCache()).toBeUndefined();
  });
});
