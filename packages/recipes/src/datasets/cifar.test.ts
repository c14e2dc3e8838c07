import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from './dataset_error.js';
import { CIFAR_FILES, readCifar } from './cifar.js';

// CIFAR itself cannot be downloaded here: generated files in the binary format prove the reader.
const dir = mkdtempSync(path.join(os.tmpdir(), 'cifar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CIFAR-10 record whose pixel (y, x) of channel c holds (c * 7 + y + x + label) % 256. */
function record(label: number): Uint8Array {
  const r = new Uint8Array(1 + 3072);
  r[0] = label;
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) r[1 + c * 1024 + y * 32 + x] = (c * 7 + y + x + label) % 256;
  return r;
}

describe('readCifar', () => {
  it('streams CIFAR-10 records across files, as HWC images with labels', async () => {
    CIFAR_FILES.cifar10.train.forEach((name, f) => writeFileSync(path.join(dir, name), Buffer.concat([record(f), record((f + 5) % 10)])));
    const records = [];
    for await (const r of readCifar(dir, 'cifar10', 'train', 1)) records.push(r);
    expect(records.map((r) => r.label)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    const img = records[3]!.image; // label 6
    expect(img.length).toBe(32 * 32 * 3);
    // HWC: pixel (y=2, x=5), channel 1 → (7 + 2 + 5 + 6) % 256 = 20.
    expect(img[(2 * 32 + 5) * 3 + 1]).toBe(20);
  });

  it('refuses truncated files and out-of-range labels, naming the file', async () => {
    writeFileSync(path.join(dir, 'test_batch.bin'), record(3).subarray(0, 3000));
    await expect(readCifar(dir, 'cifar10', 'test').next()).rejects.toThrow(/test_batch\.bin: 3000 bytes is not a whole number of 3073-byte/);
    writeFileSync(path.join(dir, 'test_batch.bin'), record(12));
    await expect(readCifar(dir, 'cifar10', 'test').next()).rejects.toThrow(DatasetError);
    await expect(readCifar(path.join(dir, 'missing'), 'cifar100', 'test').next()).rejects.toThrow(/cifar100 file .*test\.bin not found/);
  });
});
