// `resnext classify` through the built binary with good and bad image paths: the good images are
// classified, each bad one gets one line, the exit code says some failed, and no weights load
// (nor any download starts) when no path is usable. The Fashion-MNIST weights shipped in
// @resnext/pretrained keep this offline.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startCountingServer } from '../testing/counting_server.js';
import { runBin } from '../testing/run_bin.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-classify-bin-'));
const server = await startCountingServer();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});
const photo = fileURLToPath(new URL('../../../../fixtures/images/chelsea.png', import.meta.url));
const missing = path.join(dir, 'missing.jpg');
const text = path.join(dir, 'notes.txt');
writeFileSync(text, 'not an image\n');
const folder = path.join(dir, 'folder.png');
mkdirSync(folder);
// A PNG signature followed by garbage: it passes the path check and fails in the decoder.
const truncated = path.join(dir, 'truncated.png');
writeFileSync(truncated, readFileSync(photo).subarray(0, 200));
const FMNIST_LABELS = /T-shirt\/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot/;
const env = () => ({ RESNEXT_CACHE_DIR: path.join(dir, 'cache'), RESNEXT_MIRROR: server.url });

describe('resnext classify (binary) with bad image paths', () => {
  it('classifies the good image, prints one line per bad one, and exits with 1', async () => {
    const { stdout, stderr, code } = await runBin(['classify', photo, missing, text, folder, truncated, '--model', 'resnext_fmnist', '--top', '2', '--backend', 'wasm'], { env: env() });
    expect(code, stderr).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines, stderr).toHaveLength(3);
    expect(lines[0]).toBe(photo);
    for (const line of lines.slice(1)) expect(line).toMatch(new RegExp(`^ +\\d+\\.\\d\\d%  (${FMNIST_LABELS.source}) \\(\\d\\)$`));
    const errors = stderr.trimEnd().split('\n').filter((l) => !l.startsWith('backend: '));
    expect(errors).toEqual([
      `resnext: ${missing}: no such file`,
      `resnext: ${text}: not a JPEG, PNG or WebP image`,
      `resnext: ${folder}: is a directory, not an image`,
      expect.stringMatching(new RegExp(`^resnext: ${truncated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt or unreadable PNG data`)),
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('reports good and bad images in one JSON array', async () => {
    const { stdout, stderr, code } = await runBin(['classify', missing, photo, '--model', 'resnext_fmnist', '--json', '--top', '1', '--backend', 'wasm'], { env: env() });
    expect(code, stderr).toBe(1);
    const results = JSON.parse(stdout) as ({ image: string; error: string } | { image: string; predictions: { label: string }[] })[];
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ image: missing, error: 'no such file' });
    expect(results[1]!.image).toBe(photo);
    expect('predictions' in results[1]! && results[1].predictions[0]!.label).toMatch(FMNIST_LABELS);
  }, 60_000);

  it('checks the paths before anything loads: all bad → no backend, no weights, no download', async () => {
    const before = server.paths.length;
    // resnext50_32x4d is not cached here: loading it would request the mirror.
    const result = await runBin(['classify', missing, text, folder, '--model', 'resnext50_32x4d'], { env: env() });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [`resnext: ${missing}: no such file`, `resnext: ${text}: not a JPEG, PNG or WebP image`, `resnext: ${folder}: is a directory, not an image`, ''].join('\n'),
    );
    expect(server.paths.length).toBe(before);
    // Measured on a loaded 2-core machine: about 1 s, against 5 s and more to load ResNeXt-50 weights.
    expect(result.ms).toBeLessThan(15_000);
  }, 30_000);
});
