/**
 * Small datasets in the real on-disk formats, for smoke tests and examples where the real data
 * cannot be downloaded (CIFAR, ImageNet). Each class has its own pattern — a bright square at a
 * class-specific place on a noisy background, in a class-specific colour — so a few training
 * steps visibly learn.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CIFAR_FILES } from '../datasets/cifar.js';
import { Rng } from './rng.js';

/** A size×size×3 image of class `label` out of `classes`. */
export function patternImage(label: number, classes: number, size: number, rng: Rng): Uint8Array {
  const pixels = new Uint8Array(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = 40 + rng.int(60);
  const cells = Math.ceil(Math.sqrt(classes));
  const cell = Math.floor(size / cells);
  const cy = Math.floor(label / cells) * cell;
  const cx = (label % cells) * cell;
  const colour = [(label * 97) % 256, (label * 57 + 128) % 256, (label * 31 + 200) % 256];
  for (let y = cy; y < cy + cell; y++) {
    for (let x = cx; x < cx + cell; x++) {
      for (let k = 0; k < 3; k++) pixels[(y * size + x) * 3 + k] = Math.max(colour[k]!, 160);
    }
  }
  return pixels;
}

/**
 * Writes CIFAR-10 (`data_batch_1..5.bin`, `test_batch.bin`) or CIFAR-100 (`train.bin`, `test.bin`)
 * binary files: per record the label byte(s) then R, G, B planes of 32×32. `perClass` training
 * images per class in total (spread over the batch files) and `perClass / 5` (at least 1) test images.
 */
export async function writeCifarBinary(dir: string, options: { variant: 10 | 100; perClass: number; seed: number }): Promise<void> {
  const { variant, perClass, seed } = options;
  const rng = new Rng(seed);
  await mkdir(dir, { recursive: true });
  const files = variant === 10 ? CIFAR_FILES.cifar10 : CIFAR_FILES.cifar100;
  const labelBytes = variant === 10 ? 1 : 2;
  const record = (label: number) => {
    const hwc = patternImage(label, variant, 32, rng);
    const out = new Uint8Array(labelBytes + 3072);
    if (variant === 100) out[0] = Math.floor(label / 5); // coarse label (20 superclasses)
    out[labelBytes - 1] = label;
    for (let p = 0; p < 1024; p++) for (let k = 0; k < 3; k++) out[labelBytes + k * 1024 + p] = hwc[p * 3 + k]!;
    return out;
  };
  const write = async (names: readonly string[], count: number) => {
    const labels = Array.from({ length: count * variant }, (_, i) => i % variant);
    const per = Math.ceil(labels.length / names.length);
    for (const [f, name] of names.entries()) {
      const chunk = labels.slice(f * per, (f + 1) * per);
      const bytes = new Uint8Array(chunk.length * (labelBytes + 3072));
      chunk.forEach((label, i) => bytes.set(record(label), i * (labelBytes + 3072)));
      await writeFile(path.join(dir, name), bytes);
    }
  };
  await write(files.train, perClass);
  await write(files.test, Math.max(1, Math.floor(perClass / 5)));
}

/** Writes an ImageFolder tree `dir/<class_k>/<i>.<png|jpg>` of size×size pattern images. */
export async function writeImageFolder(dir: string, options: { classes: number; perClass: number; size: number; seed: number; format?: 'png' | 'jpeg' }): Promise<void> {
  const sharp = (await import('sharp')).default;
  const rng = new Rng(options.seed);
  const ext = options.format === 'jpeg' ? 'jpg' : 'png';
  for (let label = 0; label < options.classes; label++) {
    const folder = path.join(dir, `class_${String(label).padStart(3, '0')}`);
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < options.perClass; i++) {
      const raw = sharp(patternImage(label, options.classes, options.size, rng), { raw: { width: options.size, height: options.size, channels: 3 } });
      await (ext === 'png' ? raw.png() : raw.jpeg({ quality: 95 })).toFile(path.join(folder, `${String(i).padStart(4, '0')}.${ext}`));
    }
  }
}
