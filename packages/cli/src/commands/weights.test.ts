// `resnext weights`: every weights tag with accuracy, licence, size and cache state, through the
// built binary, against a temporary cache directory.
import { listWeights } from '@resnext/pretrained';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBin } from '../testing/run_bin.js';
import type { WeightsRow } from './weights.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const emptyCache = path.join(dir, 'empty');
/** Where @resnext/pretrained caches torchvision's resnext50_32x4d IMAGENET1K_V2 file (docs/pretrained.md, "The Node cache"). */
const tv2File = (cache: string) => path.join(cache, 'download.pytorch.org', 'models', 'resnext50_32x4d-1a0047aa.pth');

describe('resnext weights', () => {
  it('lists every weights tag with accuracy, licence, size when known and cache state', async () => {
    const { stdout, stderr, code } = await runBin(['weights'], { env: { RESNEXT_CACHE_DIR: emptyCache } });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^weights\s+dataset\s+top1\s+top5\s+license\s+size\s+cached\n/);
    const rows = stdout.split('\n').filter((l) => /^resnext/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(listWeights());
    expect(stdout).toMatch(/^resnext50_32x4d\.tv2_in1k \*\s+imagenet-1k\s+81\.20\s+95\.34\s+BSD-3-Clause\s+-\s+no$/m);
    expect(stdout).toMatch(/^resnext50_32x4d\.fb_swsl_ig1b_ft_in1k\s+imagenet-1k\s+82\.16\s+-\s+CC-BY-NC-4\.0\s+-\s+no$/m);
    expect(stdout).toMatch(/^resnext_fmnist\.full_fmnist \*\s+fashion-mnist\s+92\.34\s+-\s+Apache-2\.0\s+645\.2 KB\s+bundled$/m);
    expect(stdout).toContain(`cache: ${emptyCache} (change with --cache-dir or RESNEXT_CACHE_DIR)`);
  });

  it('filters by a part of the id', async () => {
    const { stdout, code } = await runBin(['weights', '101_32x8d'], { env: { RESNEXT_CACHE_DIR: emptyCache } });
    expect(code).toBe(0);
    const ids = stdout.split('\n').filter((l) => /^resnext/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(ids).toEqual(listWeights().filter((id) => id.includes('101_32x8d')));
    expect(ids).toHaveLength(4);
    const none = await runBin(['weights', 'vgg16'], { env: { RESNEXT_CACHE_DIR: emptyCache } });
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe("(no weights match 'vgg16'; 'resnext weights' lists them all)");
  });

  it('prints JSON with the cache state of each', async () => {
    const { stdout, code } = await runBin(['weights', '--json', '--cache-dir', emptyCache]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as WeightsRow[];
    expect(rows.map((r) => r.id)).toEqual(listWeights());
    const tv2 = rows.find((r) => r.id === 'resnext50_32x4d.tv2_in1k')!;
    expect(tv2).toEqual({
      id: 'resnext50_32x4d.tv2_in1k', arch: 'resnext50_32x4d', tag: 'tv2_in1k', default: true, dataset: 'imagenet-1k',
      top1: 81.198, top5: 95.34, license: 'BSD-3-Clause', nonCommercial: false, bytes: null, cached: false, state: 'missing', path: tv2File(emptyCache),
    });
    const fmnist = rows.find((r) => r.id === 'resnext_fmnist.quick_fmnist')!;
    expect(fmnist).toMatchObject({ default: false, cached: true, state: 'bundled', bytes: 660680 });
    expect(rows.filter((r) => r.nonCommercial).every((r) => r.license === 'CC-BY-NC-4.0')).toBe(true);
  });

  it('shows cached and partially downloaded files of a cache directory (--cache-dir or RESNEXT_CACHE_DIR)', async () => {
    const cache = path.join(dir, 'filled');
    mkdirSync(path.dirname(tv2File(cache)), { recursive: true });
    writeFileSync(tv2File(cache), new Uint8Array(1234));
    const v1 = path.join(cache, 'download.pytorch.org', 'models', 'resnext50_32x4d-7cdf4587.pth.incomplete');
    writeFileSync(v1, new Uint8Array(10));
    const json = JSON.parse((await runBin(['weights', 'resnext50_32x4d.tv', '--json', '--cache-dir', cache])).stdout) as WeightsRow[];
    expect(json.map((r) => [r.id, r.state, r.cached, r.bytes])).toEqual([
      ['resnext50_32x4d.tv_in1k', 'partial', false, null],
      ['resnext50_32x4d.tv2_in1k', 'cached', true, 1234],
    ]);
    expect(json[1]!.path).toBe(tv2File(cache));
    const text = await runBin(['weights', 'resnext50_32x4d.tv'], { env: { RESNEXT_CACHE_DIR: cache } });
    expect(text.stdout).toMatch(/^resnext50_32x4d\.tv_in1k\s.*\spartial$/m);
    expect(text.stdout).toMatch(/^resnext50_32x4d\.tv2_in1k \*\s.*\s1\.2 KB\s+yes$/m);
    expect(text.stdout).toContain(`cache: ${cache} `);
  });

  it('rejects a second filter and an unknown option with usage, naming the closest option', async () => {
    const two = await runBin(['weights', 'a', 'b']);
    expect(two.code).toBe(2);
    expect(two.stderr).toBe("resnext weights: weights takes one filter, got 2: a b\n  Run 'resnext weights --help' for usage.\n");
    const typo = await runBin(['weights', '--jsn']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("resnext weights: unknown option '--jsn'; did you mean --json?");
    expect(typo.stdout).toBe('');
  });
});
