import { describe, expect, it } from 'vitest';
import { createLoader, epochOrder, LoaderError, mixBatch, type Batch } from './loader.js';
import { Rng } from './rng.js';
import type { ImageSource } from './source.js';

/** n 6×6 gray images; image i is filled with the value i (so a batch tells which images it holds). */
function numbered(n: number, classes = 3): ImageSource {
  const source: ImageSource = {
    name: 'numbered',
    size: n,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
    shape: [6, 6, 1],
    read: (i) => Promise.resolve({ pixels: new Uint8Array(36).fill(i), height: 6, width: 6, channels: 1, label: i % classes }),
  };
  return source;
}

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

const ids = (b: Batch) => Array.from(b.labels.keys(), (i) => Math.round(b.x[i * 36 + 14]! * 255));

describe('createLoader', () => {
  const train = { batchSize: 4, transform: [{ kind: 'randomCrop' as const, size: 6, padding: 1 }, { kind: 'flip' as const }], shuffle: true, seed: 11, dropLast: true };

  it('visits every example once per epoch, shuffled per epoch, reproducibly', async () => {
    const loader = createLoader(numbered(10), { ...train, transform: [] });
    expect(loader.stepsPerEpoch).toBe(2);
    expect(loader.shape).toEqual([6, 6, 1]);
    const e0 = (await collect(loader.epoch(0))).flatMap(ids);
    const e0again = (await collect(loader.epoch(0))).flatMap(ids);
    const e1 = (await collect(loader.epoch(1))).flatMap(ids);
    expect(e0).toEqual(e0again);
    expect(e0).not.toEqual(e1);
    expect(new Set(e0).size).toBe(8); // drop-last: 2 batches of 4 out of 10
    expect(Array.from(epochOrder(10, true, 11, 0)).slice(0, 8)).toEqual(e0);
    const evalLoader = createLoader(numbered(10), { batchSize: 4, transform: [], shuffle: false, seed: 0 });
    expect((await collect(evalLoader.epoch(0))).map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('epoch(e, startStep) yields exactly the tail of epoch(e), augmentation included', async () => {
    const loader = createLoader(numbered(40), { ...train, mixup: 0.4, cutmix: 1, mixProb: 0.8 });
    const full = await collect(loader.epoch(3));
    const tail = await collect(loader.epoch(3, 6));
    expect(tail.map((b) => b.step)).toEqual([6, 7, 8, 9]);
    tail.forEach((b, i) => {
      const same = full[6 + i]!;
      expect(Array.from(b.x)).toEqual(Array.from(same.x));
      expect(Array.from(b.targets)).toEqual(Array.from(same.targets));
    });
  });

  it('one-hot targets, labels, limit, and targets that sum to 1 under mixup/cutmix', async () => {
    const plain = await collect(createLoader(numbered(9), { batchSize: 3, transform: [], shuffle: false, seed: 0, limit: 6 }).epoch(0));
    expect(plain).toHaveLength(2);
    expect(Array.from(plain[0]!.targets)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const mixed = await collect(createLoader(numbered(40), { ...train, mixup: 0.4, cutmix: 1 }).epoch(0));
    for (const b of mixed) {
      for (let i = 0; i < 4; i++) expect(b.targets.subarray(i * 3, i * 3 + 3).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
    expect(mixed.some((b) => b.targets.some((v) => v > 0 && v < 1))).toBe(true);
  });

  it('mixup blends with the reversed batch; cutmix labels follow the pasted area', () => {
    const make = (): Batch => ({
      x: Float32Array.from({ length: 2 * 16 }, (_, i) => (i < 16 ? 1 : 0)),
      shape: [2, 4, 4, 1],
      labels: Int32Array.from([0, 1]),
      targets: Float32Array.from([1, 0, 0, 1]),
      step: 0,
    });
    const m = make();
    const lambda = mixBatch(m, 2, 'mixup', 1, new Rng(1));
    expect(m.x[0]).toBeCloseTo(lambda, 6);
    expect(m.x[16]).toBeCloseTo(1 - lambda, 6);
    expect(Array.from(m.targets)).toEqual([Math.fround(lambda), Math.fround(1 - lambda), Math.fround(1 - lambda), Math.fround(lambda)]);
    for (let seed = 0; seed < 10; seed++) {
      const c = make();
      const kept = mixBatch(c, 2, 'cutmix', 1, new Rng(seed));
      // Image 0 was all ones: the pasted zeros are the share 1 - kept.
      const ones = Array.from(c.x.subarray(0, 16)).filter((v) => v === 1).length;
      expect(ones / 16).toBeCloseTo(kept, 6);
      expect(c.targets[0]).toBeCloseTo(kept, 6);
    }
  });

  it('rejects impossible options with LoaderError', () => {
    expect(() => createLoader(numbered(3), { ...train })).toThrow(LoaderError);
    expect(() => createLoader(numbered(3), { ...train, batchSize: 0 })).toThrow(/positive integer/);
    const photos: ImageSource = { ...numbered(3), shape: null };
    expect(() => createLoader(photos, { batchSize: 1, transform: [{ kind: 'resize', size: 8 }], shuffle: false, seed: 0 })).toThrow(/crop to a fixed size/);
  });

  it('a failing read surfaces when its batch is consumed', async () => {
    const broken: ImageSource = { ...numbered(8), read: (i) => (i === 5 ? Promise.reject(new Error('disk on fire')) : numbered(8).read(i)) };
    const loader = createLoader(broken, { batchSize: 2, transform: [], shuffle: false, seed: 0, prefetch: 3 });
    await expect(collect(loader.epoch(0))).rejects.toThrow('disk on fire');
  });

  it('prefetch: the next batches are being read while the consumer holds the current one', async () => {
    const requested: number[] = [];
    const counting: ImageSource = { ...numbered(12), read: (i) => (requested.push(i), numbered(12).read(i)) };
    const loader = createLoader(counting, { batchSize: 2, transform: [], shuffle: false, seed: 0, prefetch: 2 });
    const it = loader.epoch(0)[Symbol.asyncIterator]();
    await it.next();
    // Batch 0 delivered; batches 1 and 2 already requested, batch 3 not yet.
    expect(requested.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    await it.return?.();
    requested.length = 0;
    const lazy = createLoader(counting, { batchSize: 2, transform: [], shuffle: false, seed: 0, prefetch: 0 })
      .epoch(0)[Symbol.asyncIterator]();
    await lazy.next();
    expect(requested.sort((a, b) => a - b)).toEqual([0, 1]);
    await lazy.return?.();
  });
});
