import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { safetensorsBody } from '../testing/weights_bodies.js';
import { bytesStructureProblem } from './structure.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../../fixtures/torchvision/${name}`, import.meta.url)));

describe('bytesStructureProblem', () => {
  it('accepts complete safetensors files and torch.save zip archives (zip64 end records)', async () => {
    expect(await bytesStructureProblem(fixture('tiny_resnext.safetensors'))).toBeUndefined();
    expect(await bytesStructureProblem(fixture('tiny_resnext.pth'))).toBeUndefined();
    expect(await bytesStructureProblem(safetensorsBody(128, 1))).toBeUndefined();
  });

  it('rejects a truncated or padded safetensors file with the sizes', async () => {
    const whole = fixture('tiny_resnext.safetensors');
    expect(await bytesStructureProblem(whole.subarray(0, whole.byteLength - 1))).toBe(
      `a safetensors file of ${whole.byteLength - 1} bytes whose header announces ${whole.byteLength} bytes (truncated or padded)`,
    );
    const padded = new Uint8Array(whole.byteLength + 3);
    padded.set(whole);
    expect(await bytesStructureProblem(padded)).toMatch(/whose header announces/);
    // Cut inside the header: the header length itself is out of reach.
    expect(await bytesStructureProblem(whole.subarray(0, 40))).toMatch(/^a safetensors header of \d+ bytes in a 40-byte file/);
  });

  it('rejects a truncated zip archive, wherever it is cut', async () => {
    const whole = fixture('tiny_resnext.pth');
    for (const cut of [1, 30, 2000, whole.byteLength - 1000]) {
      expect(await bytesStructureProblem(whole.subarray(0, whole.byteLength - cut))).toMatch(/^a zip(64)? archive of \d+ bytes/);
    }
  });

  it('describes what the bytes are instead: an HTML page, text, other binary, nothing', async () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(await bytesStructureProblem(text('<html><head><title>Sign in</title></head></html>'))).toBe('an HTML/XML page starting "<html><head><title>Sign in</titl…" (48 bytes)');
    expect(await bytesStructureProblem(text('Access denied'))).toBe('text starting "Access denied" (13 bytes)');
    expect(await bytesStructureProblem(new Uint8Array([0x80, 2, 0x8a, 0x0a]))).toBe('bytes starting 80 02 8a 0a (4 bytes)');
    expect(await bytesStructureProblem(new Uint8Array(0))).toBe('an empty file');
  });
});
