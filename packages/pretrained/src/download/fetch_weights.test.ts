import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getWeights } from '../registry/weights_registry.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
// Bodies are complete safetensors files: without a digest, nothing else is cached.
import { safetensorsBody as bytesOf } from '../testing/weights_bodies.js';
import { DownloadError, IntegrityError, OfflineError } from './errors.js';
import { fetchWeights, fetchWeightsToPath, fetchWeightsWithSource } from './fetch_weights.js';
import type { DownloadProgress } from './options.js';

const server = await startLoopbackServer();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const exists = (file: string): Promise<boolean> => fs.stat(file).then(() => true, () => false);

let dir: string;
let route = 0;
/** A fresh server path per test, so request counts never mix. */
const freshPath = (name = 'weights.bin'): string => `/t${++route}/${name}`;
const entry = (urlPath: string): string => path.join(dir, hostDir, ...urlPath.split('/').filter(Boolean));

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-fetch-'));
  vi.stubEnv('RESNEXT_CACHE_DIR', '');
  vi.stubEnv('RESNEXT_MIRROR', '');
  vi.stubEnv('RESNEXT_OFFLINE', '');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('fetchWeights (Node disk cache)', () => {
  it('downloads into <cacheDir>/<host>/<path>, pins the digest, then serves the cache', async () => {
    const body = bytesOf(100_000, 1);
    const p = freshPath('model.safetensors');
    server.serve(p, body);
    const first = await fetchWeightsWithSource({ url: server.url(p) }, { cacheDir: dir });
    expect(first.fromCache).toBe(false);
    expect(sha256(first.bytes)).toBe(sha256(body));
    expect(sha256(await fs.readFile(entry(p)))).toBe(sha256(body));
    // sha256sum format, so `sha256sum -c` checks the entry.
    expect(await fs.readFile(`${entry(p)}.sha256`, 'utf8')).toBe(`${sha256(body)}  model.safetensors\n`);
    const leftovers = (await fs.readdir(path.dirname(entry(p)))).sort();
    expect(leftovers).toEqual(['model.safetensors', 'model.safetensors.sha256']);

    const second = await fetchWeightsWithSource({ url: server.url(p) }, { cacheDir: dir });
    expect(second.fromCache).toBe(true);
    expect(sha256(second.bytes)).toBe(sha256(body));
    expect(server.count(p)).toBe(1);
  });

  it('reports progress: increasing, ending at the file size, with the total and URL', async () => {
    const body = bytesOf(300_000, 2);
    const p = freshPath();
    server.serve(p, body, { chunkBytes: 8192 });
    const events: DownloadProgress[] = [];
    await fetchWeights({ url: server.url(p) }, { cacheDir: dir, onProgress: (e) => events.push({ ...e }) });
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]).toEqual({ loaded: 0, total: body.byteLength, url: server.url(p) });
    expect(events.at(-1)).toEqual({ loaded: body.byteLength, total: body.byteLength, url: server.url(p) });
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.loaded).toBeGreaterThan(events[i - 1]!.loaded);
  });

  it('returns the cache path with fetchWeightsToPath', async () => {
    const body = bytesOf(5000, 3);
    const p = freshPath();
    server.serve(p, body);
    const file = await fetchWeightsToPath({ url: server.url(p), sha256: sha256(body) }, { cacheDir: dir });
    expect(file.path).toBe(entry(p));
    expect(sha256(await fs.readFile(file.path))).toBe(sha256(body));
  });

  it('throws DownloadError naming the URL and status for HTTP 404 and 500, caching nothing', async () => {
    const missing = freshPath();
    const broken = freshPath();
    server.serve(broken, bytesOf(128, 4), { misbehave: [{ status: 500 }] });
    for (const [p, status] of [[missing, 404], [broken, 500]] as const) {
      const error = await fetchWeights({ url: server.url(p) }, { cacheDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DownloadError);
      expect(error).toMatchObject({ reason: 'http', status, url: server.url(p) });
      expect((error as Error).message).toContain(server.url(p));
      expect((error as Error).message).toContain(`HTTP ${status}`);
      expect(await exists(entry(p))).toBe(false);
    }
  });

  it('rejects a wrong sha256 with IntegrityError and leaves nothing in the cache', async () => {
    const body = bytesOf(50_000, 5);
    const p = freshPath();
    server.serve(p, body);
    const expected = sha256(bytesOf(50_000, 6));
    const error = await fetchWeights({ url: server.url(p), sha256: expected }, { cacheDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ check: 'sha256', expected, actual: sha256(body), origin: 'download', url: server.url(p) });
    expect((error as Error).message).toContain(server.url(p));
    expect(await fs.readdir(path.dirname(entry(p)))).toEqual([]);
  });

  it('rejects a body larger than the published size before reading it all', async () => {
    const body = bytesOf(400_000, 7);
    const p = freshPath();
    server.serve(p, body, { chunkBytes: 16_384 });
    const error = await fetchWeights({ url: server.url(p), bytes: 100_000 }, { cacheDir: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'size', expected: 100_000 });
    expect((error as IntegrityError).actual).toBeLessThan(body.byteLength);
    expect(await fs.readdir(path.dirname(entry(p)))).toEqual([]);
  });

  it('verifies a torchvision-style prefix, pins the full digest, and catches a later corruption', async () => {
    const body = bytesOf(64_000, 8);
    const p = freshPath(`resnext-${sha256(body).slice(0, 8)}.pth`);
    server.serve(p, body);
    const spec = { url: server.url(p), sha256Prefix: sha256(body).slice(0, 8) };
    await fetchWeights(spec, { cacheDir: dir });
    expect((await fs.readFile(`${entry(p)}.sha256`, 'utf8')).split(' ')[0]).toBe(sha256(body));

    // Flip one byte: the prefix of the new digest almost surely still differs, but the pin catches it either way.
    const corrupted = new Uint8Array(body);
    corrupted[1000] = corrupted[1000]! ^ 0xff;
    await fs.writeFile(entry(p), corrupted);
    const warnings: Error[] = [];
    const bytes = await fetchWeights(spec, { cacheDir: dir, onWarning: (w) => warnings.push(w) });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.count(p)).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBeInstanceOf(IntegrityError);
    expect(warnings[0]).toMatchObject({ check: 'sha256', expected: sha256(body), actual: sha256(corrupted), origin: 'cache', file: entry(p) });
    expect(warnings[0]!.message).toContain(entry(p));

    // Offline, a corrupted entry is an error naming the file, and is discarded.
    await fs.writeFile(entry(p), corrupted);
    const error = await fetchWeights(spec, { cacheDir: dir, offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toContain(entry(p));
    expect(await exists(entry(p))).toBe(false);
    expect(server.count(p)).toBe(2);
  });

  it('rejects a download whose digest does not start with the published prefix', async () => {
    const body = bytesOf(1000, 9);
    const p = freshPath();
    server.serve(p, body);
    const wrong = sha256(body).startsWith('00') ? '11111111' : '00000000';
    const error = await fetchWeights({ url: server.url(p), sha256Prefix: wrong }, { cacheDir: dir }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'IntegrityError', check: 'sha256Prefix', expected: wrong, actual: sha256(body).slice(0, 8) });
    expect(await exists(entry(p))).toBe(false);
  });
});

describe('sources, mirrors and offline mode', () => {
  it('uses the second source when the first fails, and names every failure when all do', async () => {
    const good = freshPath();
    const body = bytesOf(2000, 10);
    server.serve(good, body);
    const record = { id: 'x.y', sources: [{ url: server.url(freshPath()), format: 'pth' }, { url: server.url(good), format: 'safetensors' }] };
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    const found = await fetchWeightsWithSource(record, { cacheDir: dir, onWarning });
    expect(found.source).toBe(record.sources[1]);
    expect(sha256(found.bytes)).toBe(sha256(body));
    // The fallback is said, through onWarning, with the failure and the next source.
    expect(warnings.map((w) => w.message)).toEqual([`${record.sources[0]!.url}: HTTP 404 Not Found; trying the next source, ${server.url(good)}`]);

    const bad = { sources: [{ url: server.url(freshPath()) }, { url: server.url(freshPath()) }] };
    const error = await fetchWeights(bad, { cacheDir: dir, onWarning }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DownloadError', reason: 'all-sources-failed' });
    expect((error as DownloadError).attempts.map((e) => (e as DownloadError).status)).toEqual([404, 404]);
    for (const s of bad.sources) expect((error as Error).message).toContain(s.url);
  });

  it('fetches a registry record through a mirror, falling back to its Hugging Face source', async () => {
    const record = getWeights('resnext50_32x4d.tv2_in1k');
    const body = bytesOf(6000, 20);
    server.serve('/hub/huggingface.co/timm/resnext50_32x4d.tv2_in1k/resolve/main/model.safetensors', body);
    const found = await fetchWeightsWithSource(record, { cacheDir: dir, mirror: server.url('/hub'), onWarning: () => undefined });
    const format: 'pth' | 'safetensors' | 'tfjs' = found.source.format;
    expect(format).toBe('safetensors');
    expect(server.count('/hub/download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth')).toBe(1);
    expect(sha256(found.bytes)).toBe(sha256(body));
    expect(await exists(path.join(dir, 'huggingface.co', 'timm', 'resnext50_32x4d.tv2_in1k', 'resolve', 'main', 'model.safetensors'))).toBe(true);
  });

  it('prefers any cached source over downloading an earlier one', async () => {
    const first = freshPath();
    const second = freshPath();
    server.serve(second, bytesOf(3000, 11));
    await fetchWeights({ url: server.url(second) }, { cacheDir: dir });
    server.serve(first, bytesOf(3000, 12));
    const found = await fetchWeightsWithSource({ sources: [{ url: server.url(first) }, { url: server.url(second) }] }, { cacheDir: dir });
    expect(found).toMatchObject({ fromCache: true, source: { url: server.url(second) } });
    expect(server.count(first)).toBe(0);
  });

  it('rewrites every source URL under a mirror base URL, keeping the canonical cache key', async () => {
    const body = bytesOf(4000, 13);
    server.serve('/mirror/weights.invalid/models/a-12345678.pth', body);
    const spec = { url: 'https://weights.invalid/models/a-12345678.pth', sha256: sha256(body) };
    const bytes = await fetchWeights(spec, { cacheDir: dir, mirror: server.url('/mirror/') });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.count('/mirror/weights.invalid/models/a-12345678.pth')).toBe(1);
    expect(await exists(path.join(dir, 'weights.invalid', 'models', 'a-12345678.pth'))).toBe(true);

    // The environment variable does the same; a prefix map replaces the longest matching prefix.
    const other = { url: 'https://weights.invalid/timm/b/model.safetensors' };
    server.serve('/mirror/weights.invalid/timm/b/model.safetensors', body);
    vi.stubEnv('RESNEXT_MIRROR', server.url('/mirror'));
    await fetchWeights(other, { cacheDir: dir });
    expect(server.count('/mirror/weights.invalid/timm/b/model.safetensors')).toBe(1);
    server.serve('/hf/b/model.safetensors', body);
    await fetchWeights(other, { cacheDir: await fs.mkdtemp(path.join(dir, 'm-')), mirror: { 'https://weights.invalid/': server.url('/x/'), 'https://weights.invalid/timm/': server.url('/hf/') } });
    expect(server.count('/hf/b/model.safetensors')).toBe(1);
  });

  it('offline: throws OfflineError naming the URL and the paths searched, without a request', async () => {
    const p = freshPath();
    server.serve(p, bytesOf(128, 14));
    const error = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect(error).toMatchObject({ urls: [server.url(p)], searched: [entry(p)] });
    expect((error as Error).message).toContain(entry(p));
    expect(server.count(p)).toBe(0);
  });

  it('offline: serves a cached file (offline, localFilesOnly, or RESNEXT_OFFLINE)', async () => {
    const body = bytesOf(700, 15);
    const p = freshPath();
    server.serve(p, body);
    await fetchWeights({ url: server.url(p) }, { cacheDir: dir });
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir, offline: true }))).toBe(sha256(body));
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir, localFilesOnly: true }))).toBe(sha256(body));
    vi.stubEnv('RESNEXT_OFFLINE', '1');
    const missing = await fetchWeights({ url: server.url(freshPath()) }, { cacheDir: dir }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OfflineError);
    expect(server.count(p)).toBe(1);
  });

  it('takes the cache directory from the option, then RESNEXT_CACHE_DIR, then ~/.cache/resnext', async () => {
    const p = freshPath();
    server.serve(p, bytesOf(300, 16));
    const [optionDir, envDir, home] = await Promise.all(['o', 'e', 'h'].map((n) => fs.mkdtemp(path.join(dir, n))));
    vi.stubEnv('HOME', home);
    vi.stubEnv('USERPROFILE', home);
    const where = async (options: { cacheDir?: string }): Promise<string> => (await fetchWeightsToPath({ url: server.url(p) }, options)).path;
    const relative = path.join(hostDir, ...p.split('/').filter(Boolean));
    expect(await where({})).toBe(path.join(home!, '.cache', 'resnext', relative));
    vi.stubEnv('RESNEXT_CACHE_DIR', envDir);
    expect(await where({})).toBe(path.join(envDir!, relative));
    expect(await where({ cacheDir: optionDir! })).toBe(path.join(optionDir!, relative));
    expect(server.count(p)).toBe(3);
  });
});

describe('concurrency and cancellation', () => {
  it('downloads once for two concurrent calls, each getting progress', async () => {
    const body = bytesOf(200_000, 17);
    const p = freshPath();
    server.serve(p, body, { chunkBytes: 8192 });
    const seen = [0, 0];
    const [a, b] = await Promise.all([0, 1].map((i) => fetchWeights({ url: server.url(p) }, { cacheDir: dir, onProgress: () => (seen[i]! += 1) })));
    expect(server.count(p)).toBe(1);
    expect(sha256(a!)).toBe(sha256(body));
    expect(sha256(b!)).toBe(sha256(body));
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[1]).toBeGreaterThan(0);
  });

  it('lets one caller cancel without breaking the other caller’s download', async () => {
    const body = bytesOf(100_000, 18);
    const p = freshPath();
    let resume!: () => void;
    server.serve(p, body, { misbehave: [{ stallAfter: 30_000, resume: new Promise<void>((r) => (resume = r)) }] });
    const controller = new AbortController();
    const cancelled = fetchWeights({ url: server.url(p) }, { cacheDir: dir, signal: controller.signal }).catch((e: unknown) => e);
    const kept = fetchWeights({ url: server.url(p) }, { cacheDir: dir });
    await vi.waitFor(() => expect(server.count(p)).toBe(1));
    controller.abort(new Error('user cancelled'));
    expect(await cancelled).toMatchObject({ message: 'user cancelled' });
    resume();
    expect(sha256(await kept)).toBe(sha256(body));
    expect(server.count(p)).toBe(1);
  });

  it('cancelling the only caller stops the download and keeps the partial file for resuming', async () => {
    const body = bytesOf(100_000, 19);
    const p = freshPath();
    server.serve(p, body, { misbehave: [{ stallAfter: 40_000 }], etag: '"v1"' });
    const controller = new AbortController();
    const events: number[] = [];
    const call = fetchWeights({ url: server.url(p) }, { cacheDir: dir, signal: controller.signal, onProgress: (e) => events.push(e.loaded) }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(events.at(-1)).toBe(40_000));
    controller.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(async () => expect(await exists(`${entry(p)}.lock`)).toBe(false));
    expect((await fs.stat(`${entry(p)}.incomplete`)).size).toBe(40_000);

    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(p).map((r) => [r.range, r.ifRange])).toEqual([[undefined, undefined], ['bytes=40000-', '"v1"']]);
  });
});
