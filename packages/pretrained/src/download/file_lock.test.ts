import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { runChild, transpileDownloadLayer } from '../testing/download_child.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { safetensorsBody } from '../testing/weights_bodies.js';
import { acquireFileLock } from './file_lock.js';
import { fetchWeights, fetchWeightsToPath } from './fetch_weights.js';
import { nodeBuiltins } from '@resnext/layers/node-io';

const server = await startLoopbackServer();
const node = await nodeBuiltins();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const exists = (file: string): Promise<boolean> => fs.stat(file).then(() => true, () => false);
const body = safetensorsBody(150_000, 1);

let dir: string;
let route = 0;
const freshPath = (): string => `/l${++route}/weights.bin`;
const entry = (urlPath: string): string => path.join(dir, hostDir, ...urlPath.split('/').filter(Boolean));

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-lock-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('acquireFileLock', () => {
  it('lets one holder in at a time and hands over on release', async () => {
    const lockPath = path.join(dir, 'sub', 'a.lock');
    const first = await acquireFileLock(node, lockPath, { staleMs: 10_000 });
    const owner = JSON.parse(await fs.readFile(lockPath, 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    let secondHeld = false;
    const second = acquireFileLock(node, lockPath, { staleMs: 10_000, pollMs: 10 }).then((lock) => {
      secondHeld = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(secondHeld).toBe(false);
    await first.release();
    await (await second).release();
    expect(secondHeld).toBe(true);
    expect(await exists(lockPath)).toBe(false);
  });

  it('breaks a lock that was not refreshed within staleMs', async () => {
    const lockPath = path.join(dir, 'b.lock');
    await fs.writeFile(lockPath, JSON.stringify({ pid: 1, host: 'another-machine', token: 'x' }));
    const old = new Date(Date.now() - 5000);
    await fs.utimes(lockPath, old, old);
    const lock = await acquireFileLock(node, lockPath, { staleMs: 1000 });
    expect(JSON.parse(await fs.readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('breaks at once a fresh lock whose holder on this machine is dead', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const lockPath = path.join(dir, 'c.lock');
    await fs.writeFile(lockPath, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), token: 'y' }));
    // staleMs is long: only the dead-pid check can let us in before the wait is cancelled.
    const lock = await acquireFileLock(node, lockPath, { staleMs: 600_000, signal: AbortSignal.timeout(10_000) });
    await lock.release();
  });

  it('keeps a live holder’s lock fresh and leaves a lock it no longer owns', async () => {
    const lockPath = path.join(dir, 'd.lock');
    const lock = await acquireFileLock(node, lockPath, { staleMs: 60 });
    const before = (await fs.stat(lockPath)).mtimeMs;
    await vi.waitFor(async () => expect((await fs.stat(lockPath)).mtimeMs).toBeGreaterThan(before));
    await fs.writeFile(lockPath, JSON.stringify({ pid: 2, host: 'elsewhere', token: 'theirs' }));
    await lock.release();
    expect(await exists(lockPath)).toBe(true);
  });

  it('stops waiting when cancelled', async () => {
    const lockPath = path.join(dir, 'e.lock');
    const held = await acquireFileLock(node, lockPath, { staleMs: 10_000 });
    const controller = new AbortController();
    const waiting = acquireFileLock(node, lockPath, { staleMs: 10_000, signal: controller.signal, pollMs: 10 });
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    await held.release();
  });
});

describe('fetchWeights and the lock file', () => {
  it('waits for a lock held elsewhere, then finds the file without downloading it', async () => {
    const p = freshPath();
    server.serve(p, body);
    const lockPath = `${entry(p)}.lock`;
    const held = await acquireFileLock(node, lockPath, { staleMs: 10_000 });
    const call = fetchWeights({ url: server.url(p) }, { cacheDir: dir });
    await new Promise((r) => setTimeout(r, 150));
    expect(server.count(p)).toBe(0);
    // The holder "finishes": the entry appears, then the lock goes.
    await fs.writeFile(entry(p), body);
    await held.release();
    expect(sha256(await call)).toBe(sha256(body));
    expect(server.count(p)).toBe(0);
  });
});

describe('fetchWeights, the lock file and deadlineMs', () => {
  it('stops waiting for another holder at the deadline, with a DownloadError naming the lock', async () => {
    const p = freshPath();
    server.serve(p, body);
    const lockPath = `${entry(p)}.lock`;
    const held = await acquireFileLock(node, lockPath, { staleMs: 10_000 });
    try {
      const started = performance.now();
      const error = await fetchWeights({ url: server.url(p) }, { cacheDir: dir, deadlineMs: 300 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'DownloadError', reason: 'deadline', url: server.url(p) });
      expect((error as Error).message).toContain(`waiting for another process's download of ${entry(p)} (its lock file ${lockPath})`);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(server.count(p)).toBe(0);
    } finally {
      await held.release();
    }
  });
});

describe('two processes', () => {
  let moduleDir: string;
  beforeAll(async () => {
    moduleDir = await transpileDownloadLayer();
    await fs.writeFile(
      path.join(moduleDir, 'child.js'),
      `import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fetchWeightsToPath } from './fetch_weights.js';
const [url, cacheDir, lockStaleMs] = process.argv.slice(2);
process.stdout.write('ready\\n');
const found = await fetchWeightsToPath({ url }, { cacheDir, lockStaleMs: Number(lockStaleMs), timeoutMs: 60_000, onWarning: (w) => process.stderr.write(w.message + '\\n') });
// What the returned path holds once this process is done: it must stay the verified file.
const bytes = readFileSync(found.path);
process.stdout.write(JSON.stringify({ path: found.path, fromCache: found.fromCache, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') }) + '\\n');`,
    );
  });
  afterAll(async () => {
    await fs.rm(moduleDir, { recursive: true, force: true });
  });

  const child = (url: string, lockStaleMs = 30_000) => runChild(moduleDir, 'child.js', [url, dir, String(lockStaleMs)]);
  const result = (out: string): { path: string; fromCache: boolean; bytes: number; sha256: string } =>
    JSON.parse(out.trim().split('\n').at(-1)!) as { path: string; fromCache: boolean; bytes: number; sha256: string };

  it('downloads once when two processes fetch the same file at the same time', async () => {
    const p = freshPath();
    let resume!: () => void;
    // The first request stalls halfway until both processes are running.
    server.serve(p, body, { misbehave: [{ stallAfter: 50_000, resume: new Promise<void>((r) => (resume = r)) }] });
    const a = child(server.url(p));
    await vi.waitFor(() => expect(server.count(p)).toBe(1), { timeout: 20_000 });
    expect(await exists(`${entry(p)}.lock`)).toBe(true);
    const b = child(server.url(p));
    await b.said('ready');
    await new Promise((r) => setTimeout(r, 300)); // let B reach the lock
    expect(server.count(p)).toBe(1);
    resume();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra).toMatchObject({ code: 0, err: '' });
    expect(rb).toMatchObject({ code: 0, err: '' });
    expect(result(ra.out)).toMatchObject({ fromCache: false, bytes: 150_000, sha256: sha256(body) });
    expect(result(rb.out)).toMatchObject({ fromCache: true, bytes: 150_000, sha256: sha256(body) });
    expect(server.count(p)).toBe(1);
    expect((await fs.readdir(path.dirname(entry(p)))).sort()).toEqual(['weights.bin', 'weights.bin.sha256']);
    expect(sha256(await fs.readFile(entry(p)))).toBe(sha256(body));
  }, 30_000);

  it('resumes the partial file of a process killed mid-download', async () => {
    const p = freshPath();
    // The stall keeps the killed child's 60,000 bytes on disk; the ETag makes them resumable.
    server.serve(p, body, { etag: '"killed"', misbehave: [{ stallAfter: 60_000 }] });
    const a = child(server.url(p));
    await vi.waitFor(() => expect(server.count(p)).toBe(1), { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 200)); // A writes what it received
    a.process.kill('SIGKILL'); // Ctrl-C, or the OOM killer: no chance to hand the file back
    await a.done;
    const found = await fetchWeightsToPath({ url: server.url(p) }, { cacheDir: dir });
    expect(sha256(await fs.readFile(found.path))).toBe(sha256(body));
    expect(server.requests(p).map((r) => [r.range, r.ifRange])).toEqual([[undefined, undefined], ['bytes=60000-', '"killed"']]);
    expect((await fs.readdir(path.dirname(entry(p)))).sort()).toEqual(['weights.bin', 'weights.bin.sha256']);
  }, 30_000);

  it('a holder paused past lockStaleMs loses the lock and never writes into the entry another process committed', async () => {
    const p = freshPath();
    const staleMs = 400;
    const gate = (): { promise: Promise<void>; open: () => void } => {
      let open!: () => void;
      return { promise: new Promise<void>((r) => (open = r)), open };
    };
    const [gateA, gateB] = [gate(), gate()];
    // A stalls after 60,000 bytes and B after 30,000; the ETag makes a partial file resumable by another process.
    server.serve(p, body, { etag: '"paused"', misbehave: [{ stallAfter: 60_000, resume: gateA.promise }, { stallAfter: 30_000, resume: gateB.promise }] });
    const a = child(server.url(p), staleMs);
    await vi.waitFor(() => expect(server.count(p)).toBe(1), { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 200)); // A writes what it received
    a.process.kill('SIGSTOP'); // a laptop suspended mid-download
    let b: ReturnType<typeof child>;
    try {
      await new Promise((r) => setTimeout(r, staleMs * 2));
      b = child(server.url(p), staleMs); // breaks A's lock, then stalls mid-body itself
      await vi.waitFor(() => expect(server.count(p)).toBe(2), { timeout: 20_000 });
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      a.process.kill('SIGCONT');
    }
    gateA.open(); // A receives the rest of its body while B is still downloading
    await new Promise((r) => setTimeout(r, 800));
    gateB.open();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    // The entry (as B returned it) is whole, its pin matches, and A ends with that same entry.
    const committed = await fs.readFile(entry(p));
    expect(committed.byteLength).toBe(150_000);
    expect(sha256(committed)).toBe(sha256(body));
    expect((await fs.readFile(`${entry(p)}.sha256`, 'utf8')).split(' ')[0]).toBe(sha256(body));
    expect(rb).toMatchObject({ code: 0, err: '' });
    expect(result(rb.out)).toMatchObject({ path: entry(p), fromCache: false, bytes: 150_000, sha256: sha256(body) });
    expect(ra).toMatchObject({ code: 0, err: '' });
    expect(result(ra.out)).toMatchObject({ path: entry(p), fromCache: true, bytes: 150_000, sha256: sha256(body) });
    expect((await fs.readdir(path.dirname(entry(p)))).sort()).toEqual(['weights.bin', 'weights.bin.sha256']);
  }, 30_000);
});
