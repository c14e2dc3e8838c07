import { open } from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetError } from './dataset_error.js';

/** One CIFAR image: 32×32 RGB, HWC bytes, with its label (CIFAR-100: the fine label). */
export interface CifarRecord {
  image: Uint8Array;
  label: number;
}

/** File names of each split, as the "binary version" archives ship them. */
export const CIFAR_FILES = {
  cifar10: { train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'], test: ['test_batch.bin'] },
  cifar100: { train: ['train.bin'], test: ['test.bin'] },
} as const;

const PIXELS = 32 * 32;

/** CHW planes (as stored) → HWC (as tfjs takes images). */
function toHwc(planes: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 * PIXELS);
  for (let p = 0; p < PIXELS; p++) {
    out[3 * p] = planes[p]!;
    out[3 * p + 1] = planes[PIXELS + p]!;
    out[3 * p + 2] = planes[2 * PIXELS + p]!;
  }
  return out;
}

/**
 * Streams the records of CIFAR-10/100 binary batch files (1 label byte, or coarse + fine for
 * CIFAR-100, then 3,072 bytes of R, G, B planes), reading `chunkRecords` records at a time so the
 * whole set is never in memory. A file whose size is not a whole number of records is refused.
 */
export async function* readCifar(dir: string, variant: 'cifar10' | 'cifar100', split: 'train' | 'test', chunkRecords = 1024): AsyncGenerator<CifarRecord> {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const recordBytes = labelBytes + 3 * PIXELS;
  const maxLabel = variant === 'cifar10' ? 9 : 99;
  for (const name of CIFAR_FILES[variant][split]) {
    const file = path.join(dir, name);
    let handle;
    try {
      handle = await open(file, 'r');
    } catch {
      throw new DatasetError(
        `${variant} file ${file} not found. CIFAR cannot be downloaded here: put the binary-version files (${CIFAR_FILES[variant][split].join(', ')}) in ${dir}.`,
      );
    }
    try {
      const { size } = await handle.stat();
      if (size === 0 || size % recordBytes !== 0) throw new DatasetError(`${file}: ${size} bytes is not a whole number of ${recordBytes}-byte ${variant} records`);
      const buffer = new Uint8Array(recordBytes * chunkRecords);
      for (let offset = 0; offset < size; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - offset), offset);
        if (bytesRead === 0) throw new DatasetError(`${file}: unexpected end of file at byte ${offset}`);
        for (let at = 0; at + recordBytes <= bytesRead; at += recordBytes) {
          const label = buffer[at + labelBytes - 1]!;
          if (label > maxLabel) throw new DatasetError(`${file}: label ${label} at record ${(offset + at) / recordBytes} is out of range 0–${maxLabel}`);
          yield { label, image: toHwc(buffer.subarray(at + labelBytes, at + recordBytes)) };
        }
        offset += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }
}
