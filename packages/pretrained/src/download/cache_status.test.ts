// weightsCacheStatus: the same paths fetchWeights caches to, found by presence only.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getWeights } from '../registry/weights_registry.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { safetensorsBody } from '../testing/weights_bodies.js';
import { SIDECAR } from './cache_layout.js';
import { weightsCacheDir, weightsCacheStatus } from './cache_status.js';
import { fetchWeightsToPath } from './fetch_weights.js';

const server = await startLoopbackServer();
const dir = mkdtempSync(path.join(os.tmpdir(), 'cache-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withEnv = async <T>(value: string | undefined, body: () => Promise<T>): Promise<T> => {
  const previous = process.env['RESNEXT_CACHE_DIR'];
  if (value === undefined) delete process.env['RESNEXT_CACHE_DIR'];
  else process.env['RESNEXT_CACHE_DIR'] = value;
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env['RESNEXT_CACHE_DIR'];
    else process.env['RESNEXT_CACHE_DIR'] = previous;
  }
};

describe('weightsCacheDir', () => {
  it('is the option, else RESNEXT_CACHE_DIR, else ~/.cache/resnext, made absolute', async () => {
    await withEnv(undefined, async () => {
      expect(await weightsCacheDir()).toBe(path.join(os.homedir(), '.cache', 'resnext'));
      expect(await weightsCacheDir('rel/cache')).toBe(path.resolve('rel/cache'));
    });
    await withEnv(path.join(dir, 'from-env'), async () => {
      expect(await weightsCacheDir()).toBe(path.join(dir, 'from-env'));
      expect(await weightsCacheDir(path.join(dir, 'option'))).toBe(path.join(dir, 'option'));
    });
  });
});

describe('weightsCacheStatus', () => {
  it('reports the path fetchWeightsToPath caches to, missing before and cached after', async () => {
    const bytes = safetensorsBody(1000, 1);
    server.serve('/models/w.safetensors', bytes);
    const spec = { url: server.url('/models/w.safetensors'), bytes: bytes.length };
    const cacheDir = path.join(dir, 'fetched');
    const before = await weightsCacheStatus(spec, { cacheDir });
    expect(before.cacheDir).toBe(cacheDir);
    expect(before.sources).toEqual([{ url: spec.url, path: before.sources[0]!.path, state: 'missing', bytes: undefined }]);
    expect(before.available).toBeUndefined();
    const fetched = await fetchWeightsToPath(spec, { cacheDir });
    const after = await weightsCacheStatus(spec, { cacheDir });
    expect(after.sources[0]).toEqual({ url: spec.url, path: fetched.path, state: 'cached', bytes: 1000 });
    expect(before.sources[0]!.path).toBe(fetched.path);
    expect(after.available?.path).toBe(fetched.path);
  });

  it('tells cached, partial and missing sources of a record apart, and reads RESNEXT_CACHE_DIR', async () => {
    const record = getWeights('resnext50_32x4d.tv2_in1k');
    const cacheDir = path.join(dir, 'by-env');
    const [torchvision, hub] = await withEnv(cacheDir, async () => (await weightsCacheStatus(record)).sources);
    expect(torchvision!.path).toBe(path.join(cacheDir, 'download.pytorch.org', 'models', 'resnext50_32x4d-1a0047aa.pth'));
    expect(hub!.path).toBe(path.join(cacheDir, 'huggingface.co', 'timm', 'resnext50_32x4d.tv2_in1k', 'resolve', 'main', 'model.safetensors'));
    mkdirSync(path.dirname(torchvision!.path), { recursive: true });
    writeFileSync(`${torchvision!.path}${SIDECAR.incomplete}`, new Uint8Array(10));
    mkdirSync(path.dirname(hub!.path), { recursive: true });
    writeFileSync(hub!.path, new Uint8Array(20));
    const status = await withEnv(cacheDir, () => weightsCacheStatus(record));
    expect(status.sources.map((s) => [s.state, s.bytes])).toEqual([
      ['partial', 10],
      ['cached', 20],
    ]);
    expect(status.available?.url).toBe(record.sources[1]!.url);

    // A download in progress (or left by a killed process) writes a file of its own: partial too.
    rmSync(`${torchvision!.path}${SIDECAR.incomplete}`);
    writeFileSync(`${torchvision!.path}${SIDECAR.writing}0123abcd-4242-89abcdef`, new Uint8Array(30));
    writeFileSync(`${torchvision!.path}${SIDECAR.writing}0123abcd-4242-89abcdef.validator`, '"e"');
    const writing = await withEnv(cacheDir, () => weightsCacheStatus(record));
    expect(writing.sources[0]).toMatchObject({ state: 'partial', bytes: 30 });
  });

  it('reports weights shipped in the package as bundled, with their file inside the package', async () => {
    const record = getWeights('resnext_fmnist.full_fmnist');
    const status = await weightsCacheStatus(record, { cacheDir: path.join(dir, 'unused') });
    const [source] = status.sources;
    expect(source!.state).toBe('bundled');
    expect(source!.path.endsWith(path.join('weights', 'resnext_fmnist.full_fmnist.safetensors'))).toBe(true);
    expect(source!.bytes).toBe(statSync(source!.path).size);
    expect(source!.bytes).toBe(record.sources[0]!.bytes);
    expect(status.available).toBe(source);
  });
});
