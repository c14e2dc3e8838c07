// A cache directory that cannot be used as one: typed errors naming the path and what to do.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runChild, transpileDownloadLayer } from '../testing/download_child.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { safetensorsBody } from '../testing/weights_bodies.js';
import { CacheError } from './errors.js';
import { fetchWeights, fetchWeightsToPath } from './fetch_weights.js';

const server = await startLoopbackServer();
const hostDir = `127.0.0.1%3A${new URL(server.origin).port}`;
const body = safetensorsBody(4000, 1);
const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('resolved'), (e: unknown) => e);

let dir: string;
let route = 0;
const freshPath = (): string => `/c${++route}/model.safetensors`;
const entry = (cacheDir: string, urlPath: string): string => path.join(cacheDir, hostDir, ...urlPath.split('/').filter(Boolean));

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'resnext-cache-errors-'));
});
afterEach(async () => {
  await fs.chmod(dir, 0o700).catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
});

describe('an unusable cache directory', () => {
  it('is a file: CacheError naming the file in the way, nothing requested', async () => {
    const p = freshPath();
    server.serve(p, body);
    const cacheDir = path.join(dir, 'cache');
    await fs.writeFile(cacheDir, 'not a directory');
    const error = await failure(fetchWeights({ url: server.url(p) }, { cacheDir }));
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toMatchObject({ path: cacheDir, problem: 'not-a-directory', code: 'ENOTDIR' });
    expect((error as Error).message).toBe(
      `cache path ${cacheDir} is unusable (ENOTDIR): a file is in the way of a cache directory: remove it, or choose another cacheDir (option cacheDir, env RESNEXT_CACHE_DIR)`,
    );
    expect(server.count(p)).toBe(0);
    expect(await fs.readFile(cacheDir, 'utf8')).toBe('not a directory');
  });

  it('has a directory where an entry belongs: CacheError naming it, the directory left alone', async () => {
    const p = freshPath();
    server.serve(p, body);
    const file = entry(dir, p);
    await fs.mkdir(path.join(file, 'something'), { recursive: true });
    for (const call of [() => fetchWeights({ url: server.url(p) }, { cacheDir: dir }), () => fetchWeightsToPath({ url: server.url(p) }, { cacheDir: dir, offline: true })]) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(CacheError);
      expect(error).toMatchObject({ path: file, problem: 'is-a-directory', code: 'EISDIR' });
      expect((error as Error).message).toContain(`cache path ${file} is unusable (EISDIR): a directory is in the way of a cache file`);
    }
    expect(await fs.readdir(file)).toEqual(['something']);
    expect(server.count(p)).toBe(0);
  });
});

describe('a read-only cache directory', () => {
  // Root ignores file permissions: the calls then run in a child process as user "nobody".
  const asRoot = process.getuid?.() === 0;
  let moduleDir: string;
  beforeAll(async () => {
    moduleDir = await transpileDownloadLayer();
    await fs.writeFile(
      path.join(moduleDir, 'cache_child.js'),
      `import { fetchWeights } from './fetch_weights.js';
const [url, cacheDir, offline] = process.argv.slice(2);
const warnings = [];
try {
  const bytes = await fetchWeights({ url }, { cacheDir, offline: offline === '1', onWarning: (w) => warnings.push(w.message) });
  process.stdout.write(JSON.stringify({ bytes: bytes.byteLength, warnings }) + '\\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message, path: e.path, problem: e.problem, code: e.code }, warnings }) + '\\n');
}`,
    );
  });
  afterAll(async () => {
    await fs.rm(moduleDir, { recursive: true, force: true });
  });

  async function fetchAsAnotherUser(url: string, cacheDir: string, offline: boolean): Promise<{ bytes?: number; warnings: string[]; error?: Record<string, unknown> }> {
    await fs.chmod(dir, 0o755); // mkdtemp's 0700 would keep "nobody" out of everything below
    const child = runChild(moduleDir, 'cache_child.js', [url, cacheDir, offline ? '1' : '0'], asRoot ? { uid: 65534, gid: 65534 } : {});
    const { code, out, err } = await child.done;
    expect({ code, err }).toEqual({ code: 0, err: '' });
    return JSON.parse(out) as { bytes?: number; warnings: string[]; error?: Record<string, unknown> };
  }

  it('refuses a download with CacheError not-writable naming the directory', async () => {
    const p = freshPath();
    server.serve(p, body);
    const cacheDir = path.join(dir, 'cache');
    await fs.mkdir(cacheDir, { mode: 0o555 });
    await fs.chmod(cacheDir, 0o555);
    const result = await fetchAsAnotherUser(server.url(p), cacheDir, false);
    expect(result.error).toMatchObject({ name: 'CacheError', problem: 'not-writable', code: 'EACCES', path: path.join(cacheDir, hostDir) });
    expect(result.error!.message).toContain('the cache is not writable: fix its permissions, or set cacheDir (env RESNEXT_CACHE_DIR) to a writable directory');
    expect(await fs.readdir(cacheDir)).toEqual([]);
  }, 20_000);

  it('still serves a verified entry, warning that it cannot pin its digest', async () => {
    const p = freshPath();
    server.serve(p, body);
    const cacheDir = path.join(dir, 'cache');
    const file = entry(cacheDir, p);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
    for (const d of [cacheDir, path.join(cacheDir, hostDir), path.dirname(file)]) await fs.chmod(d, 0o555);
    const result = await fetchAsAnotherUser(server.url(p), cacheDir, true);
    expect(result).toEqual({ bytes: body.byteLength, warnings: [`could not pin the digest of ${file} (EACCES); the entry is verified on each use`] });
    expect(server.count(p)).toBe(0);
    for (const d of [cacheDir, path.join(cacheDir, hostDir), path.dirname(file)]) await fs.chmod(d, 0o755);
  }, 20_000);
});
