import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLoopbackServer } from '../testing/loopback_server.js';
// Bodies are complete safetensors files: without a digest, nothing else is cached.
import { safetensorsBody as bytesOf } from '../testing/weights_bodies.js';
import { DownloadError } from './errors.js';
import { fetchWeights } from './fetch_weights.js';
import type { DownloadProgress } from './options.js';

const server = await startLoopbackServer();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let dir: string;
let route = 0;
const freshPath = (): string => `/r${++route}/weights.bin`;
const entry = (urlPath: string): string => path.join(dir, hostDir, ...urlPath.split('/').filter(Boolean));
/** A promise the test resolves when it decides. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-resume-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('resumable downloads', () => {
  it('resumes with a Range request after the connection is cut', async () => {
    const body = bytesOf(200_000, 1);
    const p = freshPath();
    const cut = gate();
    server.serve(p, body, { misbehave: [{ cutAfter: 70_000, when: cut.promise }], etag: '"e1"' });
    const events: DownloadProgress[] = [];
    const onProgress = (e: DownloadProgress): void => {
      events.push({ ...e });
      if (e.loaded >= 70_000) cut.open();
    };
    const bytes = await fetchWeights({ url: server.url(p), sha256: sha256(body) }, { cacheDir: dir, onProgress });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.requests(p).map((r) => [r.range, r.ifRange])).toEqual([[undefined, undefined], ['bytes=70000-', '"e1"']]);
    expect(events.at(-1)).toMatchObject({ loaded: 200_000, total: 200_000 });
    expect(events.map((e) => e.loaded)).toEqual([...events.map((e) => e.loaded)].sort((a, b) => a - b));
    expect(await fs.readdir(path.dirname(entry(p)))).toEqual(['weights.bin', 'weights.bin.sha256']);
  });

  it('recovers from a cut whose last bytes never reach the reader', async () => {
    const body = bytesOf(200_000, 14);
    const p = freshPath();
    server.serve(p, body, { misbehave: [{ cutAfter: 60_000 }], etag: '"e14"' });
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.count(p)).toBe(2);
  });

  it('keeps the partial file when a call gives up, and the next call resumes it', async () => {
    const body = bytesOf(200_000, 2);
    const p = freshPath();
    // Four cuts, 20,000 bytes apart: the first call resumes three times, then fails.
    const cuts = [1, 2, 3, 4].map(() => gate());
    server.serve(p, body, { misbehave: cuts.map((c) => ({ cutAfter: 20_000, when: c.promise })), etag: '"e2"' });
    const onProgress = (e: DownloadProgress): void => cuts.forEach((c, k) => e.loaded >= 20_000 * (k + 1) && c.open());
    const error = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, onProgress }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'network', url: server.url(p), file: `${entry(p)}.incomplete` });
    expect((error as Error).message).toContain(`${entry(p)}.incomplete`);
    const partial = await fs.readFile(`${entry(p)}.incomplete`);
    expect(partial.byteLength).toBe(80_000);
    expect(sha256(partial)).toBe(sha256(body.subarray(0, 80_000)));
    expect(server.requests(p).map((r) => r.range)).toEqual([undefined, 'bytes=20000-', 'bytes=40000-', 'bytes=60000-']);

    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(p)[4]!.range).toBe('bytes=80000-');
  });

  it('restarts cleanly from zero when the server ignores the Range header', async () => {
    const body = bytesOf(150_000, 3);
    const p = freshPath();
    const cut = gate();
    server.serve(p, body, { misbehave: [{ cutAfter: 50_000, when: cut.promise }], ignoreRange: true, etag: '"e3"' });
    const events: number[] = [];
    const onProgress = (e: DownloadProgress): void => {
      events.push(e.loaded);
      if (e.loaded >= 50_000) cut.open();
    };
    const bytes = await fetchWeights({ url: server.url(p), sha256: sha256(body) }, { cacheDir: dir, onProgress });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.requests(p).map((r) => r.range)).toEqual([undefined, 'bytes=50000-']);
    // Progress went up to the cut, started over from zero, and reached the full size.
    expect(events.indexOf(50_000)).toBeLessThan(events.lastIndexOf(0));
    expect(events.at(-1)).toBe(150_000);
  });

  it('restarts when a resumed range is refused (416) or the file changed (If-Range)', async () => {
    const body = bytesOf(30_000, 4);
    const tooLong = freshPath();
    server.serve(tooLong, body, { etag: '"e4"' });
    await fs.mkdir(path.dirname(entry(tooLong)), { recursive: true });
    await fs.writeFile(`${entry(tooLong)}.incomplete`, bytesOf(40_000, 5));
    await fs.writeFile(`${entry(tooLong)}.incomplete.validator`, '"e4"');
    expect(sha256(await fetchWeights({ url: server.url(tooLong) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(tooLong).map((r) => r.range)).toEqual(['bytes=40000-', undefined]);

    const changed = freshPath();
    server.serve(changed, body, { etag: '"new"' });
    await fs.mkdir(path.dirname(entry(changed)), { recursive: true });
    await fs.writeFile(`${entry(changed)}.incomplete`, bytesOf(10_000, 6));
    await fs.writeFile(`${entry(changed)}.incomplete.validator`, '"old"');
    expect(sha256(await fetchWeights({ url: server.url(changed) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(changed).map((r) => [r.range, r.ifRange])).toEqual([['bytes=10000-', '"old"']]);
  });

  it('does not resume a partial file that nothing can validate (no ETag, no digest)', async () => {
    const body = bytesOf(20_000, 7);
    const p = freshPath();
    server.serve(p, body);
    await fs.mkdir(path.dirname(entry(p)), { recursive: true });
    await fs.writeFile(`${entry(p)}.incomplete`, bytesOf(5000, 8));
    expect(sha256(await fetchWeights({ url: server.url(p) }, { cacheDir: dir }))).toBe(sha256(body));
    expect(server.requests(p).map((r) => r.range)).toEqual([undefined]);
  });

  it('commits a complete but unverified partial file without a request', async () => {
    const body = bytesOf(12_345, 9);
    const p = freshPath();
    server.serve(p, body);
    await fs.mkdir(path.dirname(entry(p)), { recursive: true });
    await fs.writeFile(`${entry(p)}.incomplete`, body);
    const bytes = await fetchWeights({ url: server.url(p), sha256: sha256(body), bytes: body.byteLength }, { cacheDir: dir });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.count(p)).toBe(0);
  });

  it('starts over once when a resumed file fails verification', async () => {
    const body = bytesOf(60_000, 10);
    const p = freshPath();
    server.serve(p, body, { etag: '"e10"' });
    await fs.mkdir(path.dirname(entry(p)), { recursive: true });
    // A stale prefix that the validator wrongly vouches for.
    await fs.writeFile(`${entry(p)}.incomplete`, bytesOf(10_000, 11));
    await fs.writeFile(`${entry(p)}.incomplete.validator`, '"e10"');
    const warnings: Error[] = [];
    const bytes = await fetchWeights({ url: server.url(p), sha256: sha256(body) }, { cacheDir: dir, onWarning: (w) => warnings.push(w) });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.requests(p).map((r) => r.range)).toEqual(['bytes=10000-', undefined]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ name: 'IntegrityError', check: 'sha256', origin: 'download' });
  });
});

describe('timeouts', () => {
  it('fails with a timeout DownloadError when the server sends nothing', async () => {
    const p = freshPath();
    server.serve(p, bytesOf(1000, 12), { misbehave: [{ stallAfter: 0 }] });
    const error = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'timeout', url: server.url(p) });
    expect((error as Error).message).toContain('300 ms');
    expect(server.count(p)).toBe(1);
    await expect(fs.stat(entry(p))).rejects.toThrow();
  });

  it('resumes a download that stalls midway', async () => {
    const body = bytesOf(100_000, 13);
    const p = freshPath();
    server.serve(p, body, { misbehave: [{ stallAfter: 32_768 }], etag: '"e13"' });
    const bytes = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, timeoutMs: 300 });
    expect(sha256(bytes)).toBe(sha256(body));
    expect(server.requests(p).map((r) => r.range)).toEqual([undefined, 'bytes=32768-']);
  });
});
