// How the built binary reports failures: short messages that say what to do, exit codes by kind,
// stack traces only with --debug. Downloads go to a loopback mirror that answers 404 (or is not
// asked at all), the cache is a temporary directory.
import { getWeights, readSafetensors, weightsCacheStatus, writeSafetensors } from '@resnext/pretrained';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startCountingServer } from '../testing/counting_server.js';
import { runBin, type BinResult } from '../testing/run_bin.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-errors-'));
const server = await startCountingServer();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});
const fixture = (p: string) => fileURLToPath(new URL(`../../../../fixtures/${p}`, import.meta.url));
const photo = fixture('images/chelsea.png');
const emptyCache = path.join(dir, 'empty-cache');
const injector = fileURLToPath(new URL('../testing/throwing_stdout.mjs', import.meta.url));

/** The error lines of stderr (progress lines such as `backend: wasm` left out). */
const errorLines = (r: BinResult): string[] => r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('backend: '));
const STACK = /\n\s+at .+:\d+:\d+/;

describe('weights that cannot be had', () => {
  it('offline with an empty cache (--offline): a short message naming the cache file and what to do, exit 3, no request', async () => {
    const before = server.paths.length;
    const r = await runBin(['classify', photo, '--offline', '--backend', 'cpu'], { env: { RESNEXT_CACHE_DIR: emptyCache, RESNEXT_MIRROR: server.url } });
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r);
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toBe(
      `resnext: offline mode (--offline or RESNEXT_OFFLINE) and the weights are not cached: looked for ${path.join(emptyCache, 'download.pytorch.org', 'models', 'resnext50_32x4d-1a0047aa.pth')} and 1 more`,
    );
    expect(lines[1]).toContain('--weights FILE');
    expect(r.stderr).not.toMatch(STACK);
    expect(server.paths.length).toBe(before);
  });

  it('offline by RESNEXT_OFFLINE=1: the same message', async () => {
    const r = await runBin(['classify', photo, '--backend', 'cpu'], { env: { RESNEXT_CACHE_DIR: emptyCache, RESNEXT_MIRROR: server.url, RESNEXT_OFFLINE: '1' } });
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r)[0]).toMatch(/^resnext: offline mode \(--offline or RESNEXT_OFFLINE\) and the weights are not cached/);
  });

  it('a failed download: which URL and why, and RESNEXT_MIRROR / --weights FILE as ways out; --debug adds the stack', async () => {
    const before = server.paths.length;
    const env = { RESNEXT_CACHE_DIR: path.join(dir, 'download-cache'), RESNEXT_MIRROR: server.url };
    const r = await runBin(['classify', photo, '--backend', 'cpu'], { env });
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r);
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^resnext: could not download the weights: all 2 sources failed \\(first: ${server.url}/download\\.pytorch\\.org/models/resnext50_32x4d-1a0047aa\\.pth: HTTP 404`));
    expect(lines[1]).toContain('RESNEXT_MIRROR');
    expect(lines[1]).toContain('--weights FILE');
    expect(r.stderr).not.toMatch(STACK);
    expect(server.paths.slice(before)).toEqual(['/download.pytorch.org/models/resnext50_32x4d-1a0047aa.pth', '/huggingface.co/timm/resnext50_32x4d.tv2_in1k/resolve/main/model.safetensors']);

    const debug = await runBin(['classify', photo, '--backend', 'cpu', '--debug'], { env });
    expect(debug.code, debug.stderr).toBe(3);
    expect(errorLines(debug).slice(0, 2)).toEqual(lines);
    expect(debug.stderr).toMatch(/DownloadError: /);
    expect(debug.stderr).toMatch(STACK);
  });

  it('a corrupted cache entry: says it was deleted and to run again', async () => {
    const cache = path.join(dir, 'corrupt-cache');
    const entry = path.join(cache, 'download.pytorch.org', 'models', 'resnext50_32x4d-1a0047aa.pth');
    mkdirSync(path.dirname(entry), { recursive: true });
    writeFileSync(entry, 'garbage');
    const r = await runBin(['classify', photo, '--offline', '--backend', 'cpu', '--cache-dir', cache]);
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r);
    expect(lines[0]).toBe(`resnext: the cached weights file ${entry} was corrupted (sha256 prefix mismatch) and has been deleted`);
    expect(lines[1]).toMatch(/run the command again online/i);
    expect(existsSync(entry)).toBe(false);
  });
});

describe('weights that do not fit', () => {
  it('a checkpoint of another architecture: counts and torchvision state-dict keys, in at most three lines', async () => {
    const r = await runBin(['classify', photo, '--model', 'resnext_fmnist', '--weights', fixture('torchvision/tiny_resnext.safetensors'), '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(3);
    const lines = errorLines(r);
    expect(lines, r.stderr).toHaveLength(3);
    expect(lines[0]).toMatch(/^resnext: .*tiny_resnext\.safetensors does not fit the model's architecture: \d+ unexpected, \d+ mis-shaped state-dict keys$/);
    expect(lines[1]).toMatch(/^ {2}unexpected: layer1\.1\.conv1\.weight, layer1\.1\.bn1\.weight, layer1\.1\.bn1\.bias … and \d+ more; mis-shaped: conv1\.weight: checkpoint \[7, 7, 3, 16\] vs model \[3, 3, 1, 24\] … and \d+ more$/);
    expect(r.stderr).not.toMatch(/\/kernel|\/gamma|moving_mean/);
    expect(lines[2]).toContain('--model');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a checkpoint without its classifier: the missing keys by their torchvision names', async () => {
    const shipped = (await weightsCacheStatus(getWeights('resnext_fmnist.full_fmnist'))).available!.path;
    const { tensors } = readSafetensors(readFileSync(shipped));
    const headless = path.join(dir, 'headless.safetensors');
    writeFileSync(headless, writeSafetensors(new Map([...tensors].filter(([key]) => !key.startsWith('fc.')))));
    const r = await runBin(['classify', photo, '--model', 'resnext_fmnist', '--weights', headless, '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r)).toEqual([
      `resnext: ${headless} does not fit the model's architecture: 2 missing state-dict keys`,
      '  missing: fc.weight, fc.bias',
      expect.stringMatching(/^ {2}Pass the --model the checkpoint was trained as/),
    ]);
  });

  it('a file that is no checkpoint: names it and says what --weights takes', async () => {
    const r = await runBin(['classify', photo, '--model', 'resnext_fmnist', '--weights', photo, '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(3);
    expect(errorLines(r)).toEqual([
      `resnext: ${photo} is not a usable checkpoint: neither a safetensors file nor a PyTorch zip checkpoint`,
      '  Pass a .safetensors file, a PyTorch checkpoint saved with torch.save (.pth), or a tfjs model.json as --weights.',
    ]);
  });

  it('a --weights file that is not there: reported before a backend starts', async () => {
    const r = await runBin(['classify', photo, '--weights', path.join(dir, 'nope.pth')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toBe(
      `resnext: --weights ${path.join(dir, 'nope.pth')}: no such file\n  Pass a .safetensors or .pth checkpoint (or a tfjs model.json), or leave out --weights to use the registry's weights.\n`,
    );
  });
});

describe('usage errors', () => {
  it.each([
    [['classify', photo, '--tpo', '3'], "resnext classify: unknown option '--tpo'; did you mean --top?"],
    [['classify', photo, '--ofline'], "resnext classify: unknown option '--ofline'; did you mean --offline?"],
    [['weights', '--cache-dri', 'x'], "resnext weights: unknown option '--cache-dri'; did you mean --cache-dir?"],
    [['fashion-mnist', '--limt', '5'], "resnext fashion-mnist: unknown option '--limt'; did you mean --limit?"],
    [['--verison'], "resnext: unknown option '--verison'; did you mean --version?"],
    [['clasify', photo], "resnext: unknown command 'clasify'; did you mean classify?"],
    [['classify', photo, '--model', 'resnext50_32x4d.tv2_in1'], "resnext classify: unknown --model 'resnext50_32x4d.tv2_in1'; did you mean resnext50_32x4d.tv2_in1k?"],
    [['classify', photo, '--backend', 'wsam'], "resnext classify: unknown --backend 'wsam'; did you mean wasm?"],
    [['classify', photo, '--top', '0'], "resnext classify: --top must be a positive integer, got '0'"],
    [['fashion-mnist', '--model', 'resnext50_32x4d'], 'resnext fashion-mnist: --model resnext50_32x4d.tv2_in1k takes 224×224×3 images, Fashion-MNIST has 28×28×1'],
  ])('`resnext %s` exits 2 with a one-line reason and where to read the usage', async (args, first) => {
    const r = await runBin(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]!.startsWith(first)).toBe(true);
    expect(lines[1]).toMatch(/^ {2}Run 'resnext (\S+ )?--help' for usage\.$/);
  });
});

describe('unexpected errors', () => {
  it('one line naming the error, a pointer to --debug, exit 70; --debug prints the stack', async () => {
    const r = await runBin(['models'], { nodeArgs: ['--import', injector] });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toBe('resnext: unexpected error: TypeError: injected failure for a test\n  Run with --debug for the stack trace.\n');
    const debug = await runBin(['models', '--debug'], { nodeArgs: ['--import', injector] });
    expect(debug.code, debug.stderr).toBe(70);
    expect(debug.stderr).toMatch(/^resnext: unexpected error: TypeError: injected failure for a test\n/);
    expect(debug.stderr).not.toContain('Run with --debug');
    expect(debug.stderr).toMatch(STACK);
  });
});
