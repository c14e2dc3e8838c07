// describeError/formatError on each typed error of the packages: one to three lines, a hint that
// says what to do, and an exit code by kind (2 usage, 3 expected failure, 70 unexpected).
import { BackendUnavailableError } from '@resnext/backends';
import { CacheError, DownloadError, ImageDecodeError, IntegrityError, OfflineError, StateDictMismatchError, WeightsFormatError, WeightsRegistryError, WeightsValueError } from '@resnext/pretrained';
import { DatasetError } from '@resnext/recipes';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../exit_codes.js';
import { CliError } from './cli_error.js';
import { describeError, formatError } from './format_error.js';
import { UsageError } from './usage_error.js';

const url = 'https://download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth';

describe('describeError', () => {
  it('a download that failed with HTTP 404, keeping a partial file', async () => {
    const d = await describeError(new DownloadError({ url, reason: 'http', status: 404, problem: 'HTTP 404 Not Found' }));
    expect(d.message).toBe(`could not download ${url}: HTTP 404 Not Found`);
    expect(d.hint).toBe('The file is not at that address: check RESNEXT_MIRROR, or pass a local checkpoint with --weights FILE.');
    expect(d.exitCode).toBe(EXIT.failed);
    const partial = await describeError(new DownloadError({ url, reason: 'network', problem: 'connection closed after 10 of 20 bytes', file: '/c/x.pth.incomplete' }));
    expect(partial.message).toBe(`could not download ${url}: connection closed after 10 of 20 bytes`);
    expect(partial.detail).toBe('The partial download /c/x.pth.incomplete is kept; the next run resumes it.');
    expect(partial.hint).toContain('RESNEXT_MIRROR');
  });

  it('offline and integrity errors say where the file is and what happens next', async () => {
    const offline = await describeError(new OfflineError([url], ['/c/a.pth', '/c/b.safetensors']));
    expect(offline.message).toBe('offline mode (--offline or RESNEXT_OFFLINE) and the weights are not cached: looked for /c/a.pth and 1 more');
    const cache = await describeError(new IntegrityError({ url, file: '/c/a.pth', check: 'size', expected: 10, actual: 7, origin: 'cache' }));
    expect(cache.message).toBe('the cached weights file /c/a.pth was corrupted (size 10 bytes expected, got 7) and has been deleted');
    const download = await describeError(new IntegrityError({ url, check: 'sha256', expected: 'aa', actual: 'bb', origin: 'download' }));
    expect(download.message).toBe(`the download of ${url} is corrupted (sha256 mismatch); nothing was cached`);
    const shipped = await describeError(new IntegrityError({ url: 'bundled:w.safetensors', file: '/p/w.safetensors', check: 'sha256', expected: 'aa', actual: 'bb', origin: 'package' }));
    expect(shipped.hint).toMatch(/Reinstall @resnext\/pretrained/);
  });

  it('a download past its deadline or byte cap, bytes that are no checkpoint, an unusable cache: what and what to do', async () => {
    const late = await describeError(new DownloadError({ url, reason: 'deadline', problem: 'not finished within 3600000 ms', file: '/c/x.pth.incomplete' }));
    expect(late.message).toBe(`could not download ${url} in time: not finished within 3600000 ms`);
    expect(late.detail).toContain('/c/x.pth.incomplete');
    expect(late.hint).toMatch(/^Run again to resume it/);
    const big = await describeError(new DownloadError({ url, reason: 'too-large', problem: 'announces 9000000000 bytes, over maxBytes 2147483648' }));
    expect(big.message).toBe(`refused ${url}: announces 9000000000 bytes, over maxBytes 2147483648`);
    expect(big.hint).toContain('RESNEXT_MIRROR');
    const html = await describeError(new IntegrityError({ url, check: 'structure', expected: 'a complete safetensors file or zip archive', actual: 'an HTML page', origin: 'download' }));
    expect(html.message).toBe(`the download of ${url} is corrupted (an HTML page, not a complete safetensors file or zip archive); nothing was cached`);
    const cache = await describeError(new CacheError({ path: '/home/me/.cache/resnext', problem: 'not-a-directory', code: 'ENOTDIR' }));
    expect(cache.message).toBe('cache path /home/me/.cache/resnext is unusable (ENOTDIR)');
    expect(cache.hint).toMatch(/^A file is in the way of a cache directory: .*RESNEXT_CACHE_DIR\)\.$/);
    expect(cache.exitCode).toBe(EXIT.failed);
    const values = await describeError(new WeightsValueError('/w/model.safetensors', 'layer1.0.bn1.running_var', 'negative running variance -0.5 at index 3'));
    expect(values.message).toBe('/w/model.safetensors holds values no trained network has: layer1.0.bn1.running_var: negative running variance -0.5 at index 3');
    expect(values.exitCode).toBe(EXIT.failed);
  });

  it('an unreadable downloaded checkpoint names the cache file to delete', async () => {
    const d = await describeError(new WeightsFormatError(url, 'truncated zip'), { cacheDir: '/tmp/rc' });
    expect(d.message).toBe(`${url} is not a usable checkpoint: truncated zip`);
    expect(d.hint).toBe(`Delete the cached file ${path.resolve('/tmp/rc/download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth')} and run again to download it anew, or pass another checkpoint with --weights FILE.`);
    const local = await describeError(new WeightsFormatError('./w.bin', 'neither a safetensors file nor a PyTorch zip checkpoint'));
    expect(local.hint).toMatch(/as --weights\.$/);
  });

  it('a mismatch lists a few state-dict keys of each kind', async () => {
    const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}.weight`);
    const d = await describeError(new StateDictMismatchError({ missingKeys: keys('m', 5), unexpectedKeys: keys('u', 1), mismatchedKeys: ['fc.weight: checkpoint [1] vs model [2]'] }, 'w.pth'));
    expect(d.message).toBe("w.pth does not fit the model's architecture: 5 missing, 1 unexpected, 1 mis-shaped state-dict keys");
    expect(d.detail).toBe('missing: m0.weight, m1.weight, m2.weight … and 2 more; unexpected: u0.weight; mis-shaped: fc.weight: checkpoint [1] vs model [2]');
    expect(d.exitCode).toBe(EXIT.failed);
  });

  it('backends, images, datasets, missing files and the network', async () => {
    const notInstalled = new BackendUnavailableError('long story', { backend: 'node', failure: 'not-installed', install: '@tensorflow/tfjs-node' });
    expect(await describeError(notInstalled)).toEqual({
      message: "backend 'node' needs @tensorflow/tfjs-node, which is not installed",
      hint: 'Install it (npm install @tensorflow/tfjs-node) or choose --backend wasm (or cpu), which run everywhere in Node.',
      exitCode: EXIT.failed,
    });
    expect((await describeError(new ImageDecodeError('a.gif', 'unsupported image type'))).message).toBe('a.gif: unsupported image type');
    expect((await describeError(new DatasetError('Fashion-MNIST file x not found in /d.'))).exitCode).toBe(EXIT.failed);
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.pth'"), { code: 'ENOENT', path: 'x.pth' });
    expect(await describeError(enoent)).toEqual({ message: 'cannot read x.pth: no such file', exitCode: EXIT.failed });
    const network = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND example.org'), { code: 'ENOTFOUND' }) });
    expect((await describeError(network)).message).toBe('network error (ENOTFOUND): fetch failed');
  });

  it('usage errors exit 2, unknown errors (a RangeError included) exit 70', async () => {
    expect(await describeError(new UsageError('bad', 'classify'))).toEqual({ message: 'bad', hint: "Run 'resnext classify --help' for usage.", exitCode: EXIT.usage });
    expect((await describeError(new WeightsRegistryError('Unknown weights "x". Known weights: a, b.'))).message).toBe('Unknown weights "x".');
    expect((await describeError(new WeightsRegistryError('Unknown weights "resnext50_32x4d.tv_in1". Did you mean "resnext50_32x4d.tv_in1k"? Known weights: a, b.'))).message).toBe('Unknown weights "resnext50_32x4d.tv_in1". Did you mean "resnext50_32x4d.tv_in1k"?');
    expect(await describeError(new CliError('no', 'do this'))).toEqual({ message: 'no', hint: 'do this', exitCode: EXIT.failed });
    expect(await describeError(new RangeError('resize: output size 0x0 is not a positive integer size'))).toEqual({
      message: 'unexpected error: RangeError: resize: output size 0x0 is not a positive integer size',
      hint: 'Run with --debug for the stack trace.',
      exitCode: EXIT.internal,
    });
  });
});

describe('formatError', () => {
  it('prints one to three lines, the stack only with debug', async () => {
    const error = new DownloadError({ url, reason: 'http', status: 500, problem: 'HTTP 500' });
    const short = await formatError(error);
    expect(short.exitCode).toBe(3);
    expect(short.text.split('\n')).toEqual([`resnext: could not download ${url}: HTTP 500`, expect.stringMatching(/^ {2}Check the network/)]);
    const long = await formatError(error, {}, true);
    expect(long.text.startsWith(short.text)).toBe(true);
    expect(long.text).toMatch(/\n\s+at /);
    expect((await formatError(new UsageError('bad'), { command: 'weights' })).text).toBe("resnext weights: bad\n  Run 'resnext weights --help' for usage.");
  });
});
