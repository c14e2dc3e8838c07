import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputsFailedError } from './errors/inputs_failed_error.js';
import { UsageError, run } from './main.js';

describe('resnext models', () => {
  it('lists every built-in variant with its stages', async () => {
    const out = await run(['models']);
    expect(out).toMatch(/^name\s+block\s+stages/);
    expect(out).toMatch(/resnext50_32x4d\s+bottleneck\s+3-4-6-3\s+32\s+4\s+224/);
    expect(out).toMatch(/resnext29_16x64d\s+bottleneck\s+3-3-3\s+16\s+64\s+32/);
  });

  it('filters by substring and prints JSON', async () => {
    const rows = JSON.parse(await run(['models', 'resnext101', '--json'])) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual(['resnext101_32x4d', 'resnext101_32x8d', 'resnext101_64x4d']);
  });

  it('rejects an unknown command with usage', async () => {
    await expect(run(['fly'])).rejects.toThrow(UsageError);
    await expect(run(['fly'])).rejects.toThrow(/unknown command 'fly'/);
  });

  it('rejects classify without images or with a bad --top, with usage', async () => {
    await expect(run(['classify'])).rejects.toThrow(/no image given/);
    await expect(run(['classify', 'a.jpg', '--top', 'x'])).rejects.toThrow(UsageError);
    await expect(run(['classify', 'a.jpg', '--top', 'x'])).rejects.toThrow(/--top must be a positive integer, got 'x'/);
  });

  it('throws InputsFailedError with the good results when some images fail', async () => {
    const photo = fileURLToPath(new URL('../../../fixtures/images/chelsea.png', import.meta.url));
    const error = await run(['classify', photo, 'missing.png', '--model', 'resnext_fmnist', '--top', '1', '--backend', 'wasm']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputsFailedError);
    expect((error as InputsFailedError).failures).toEqual([{ input: 'missing.png', problem: 'no such file' }]);
    expect((error as InputsFailedError).output.split('\n')[0]).toBe(photo);
  }, 60_000);

  it('runs as the built `resnext` binary', () => {
    const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
    const out = execFileSync(process.execPath, [bin, 'models', '50_32'], { encoding: 'utf8' });
    expect(out.trim().split('\n')).toHaveLength(3);
  });
});
