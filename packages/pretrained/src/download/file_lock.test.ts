import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { acquireFileLock } from './file_lock.js';
import { fetchWeights } from './fetch_weights.js';
import { nodeBuiltins } from './node_builtins.js';

const server = await startLoopbackServer();
const node = await nodeBuiltins();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const exists = (file: string): Promise<boolean> => fs.stat(file).then(() => true, () => false);
const body = new Uint8Array(150_000).map((_, i) => (i * 7919) % 251);

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

describe('two processes', () => {
  // The download layer, transpiled to plain JS so a child `node` can import it.
  let moduleDir: string;
  beforeAll(async () => {
    moduleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-lock-js-'));
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const name of await fs.readdir(here)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const source = await fs.readFile(path.join(here, name), 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
      await fs.writeFile(path.join(moduleDir, name.replace(/\.ts$/, '.js')), outputText);
    }
    await fs.writeFile(path.join(moduleDir, 'package.json'), '{"type":"module"}');
    await fs.writeFile(
      path.join(moduleDir, 'child.js'),
      `import { fetchWeights } from './fetch_weights.js';
const [url, cacheDir, sha256] = process.argv.slice(2);
process.stdout.write('ready\\n');
const bytes = await fetchWeights({ url, sha256 }, { cacheDir });
process.stdout.write(JSON.stringify({ bytes: bytes.byteLength }) + '\\n');`,
    );
  });
  afterAll(async () => {
    await fs.rm(moduleDir, { recursive: true, force: true });
  });

  function child(url: string): { ready: Promise<void>; done: Promise<{ code: number | null; out: string; err: string }> } {
    const proc = spawn(process.execPath, [path.join(moduleDir, 'child.js'), url, dir, sha256(body)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) markReady();
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => proc.on('close', (code) => resolve({ code, out, err })));
    return { ready, done };
  }

  it('downloads once when two processes fetch the same file at the same time', async () => {
    const p = freshPath();
    let resume!: () => void;
    // The first request stalls halfway until both processes are running.
    server.serve(p, body, { misbehave: [{ stallAfter: 50_000, resume: new Promise<void>((r) => (resume = r)) }] });
    const a = child(server.url(p));
    await vi.waitFor(() => expect(server.count(p)).toBe(1), { timeout: 20_000 });
    expect(await exists(`${entry(p)}.lock`)).toBe(true);
    const b = child(server.url(p));
    await b.ready;
    await new Promise((r) => setTimeout(r, 300)); // let B reach the lock
    expect(server.count(p)).toBe(1);
    resume();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra).toMatchObject({ code: 0, err: '' });
    expect(rb).toMatchObject({ code: 0, err: '' });
    expect(ra.out).toContain('"bytes":150000');
    expect(rb.out).toContain('"bytes":150000');
    expect(server.count(p)).toBe(1);
    expect((await fs.readdir(path.dirname(entry(p)))).sort()).toEqual(['weights.bin', 'weights.bin.sha256']);
    expect(sha256(await fs.readFile(entry(p)))).toBe(sha256(body));
  }, 30_000);
});
