import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset_error.js';
import { loadFashionMnist } from './fashion_mnist.js';

// Reads Debian's dataset-fashion-mnist, which tools/setup.sh installs.
describe('loadFashionMnist', () => {
  it('reads the 10,000 test images and labels, 1,000 per class', () => {
    const test = loadFashionMnist('test');
    expect([test.count, test.height, test.width]).toEqual([10000, 28, 28]);
    expect(test.images.length).toBe(10000 * 28 * 28);
    const perClass = new Array<number>(10).fill(0);
    for (const l of test.labels) perClass[l]!++;
    expect(perClass).toEqual(new Array<number>(10).fill(1000));
  });

  it('names the folder and how to get the data when it is missing', () => {
    expect(() => loadFashionMnist('train', { dir: '/nonexistent' })).toThrow(DatasetError);
    expect(() => loadFashionMnist('train', { dir: '/nonexistent' })).toThrow(/not found in \/nonexistent.*apt-get install dataset-fashion-mnist/);
  });
});
