// In Chromium on webgl (tfjs ops, no fused kernel): a training-mode call of the residual blocks'
// BatchNormalization updates its moving averages as torch.nn.BatchNorm2d does (unbiased batch
// variance), checked against float64 sums, and counts the call.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { describe, expect, it } from 'vitest';
import '../kernels/register_all.js';
import { relativeError } from '@resnext/test-support';
import { randomArray } from '../testing/naive_group_conv.js';
import { torchRunningStatistics } from '../testing/torch_batch_norm_reference.js';
import { batchNorm } from '../blocks/block_layers.js';
import type { TrainingBatchNormalization } from './training_batch_norm.js';

describe('TrainingBatchNormalization on webgl', () => {
  it("updates the moving statistics with PyTorch's rule and counts the training call", async () => {
    expect(await tf.setBackend('webgl')).toBe(true);
    const bn = batchNorm('bn') as TrainingBatchNormalization;
    const values = Float32Array.from(randomArray(3 * 5 * 4 * 6, 3), (v) => 2 * v + 0.5); // n = 60 values per channel
    const x = tf.tensor4d(values, [3, 5, 4, 6]);
    const y = bn.apply(x, { training: true }) as tf.Tensor;
    const expected = torchRunningStatistics(values, new Float32Array(6), new Float32Array(6).fill(1));
    const [mean, variance] = await Promise.all(bn.getWeights().slice(2).map((t) => t.data()));
    expect(relativeError(mean!, expected.mean)).toBeLessThan(1e-5);
    expect(relativeError(variance!, expected.variance)).toBeLessThan(1e-5);
    expect(bn.numBatchesTracked).toBe(1);
    tf.dispose([x, y]);
    bn.dispose();
  });
});
