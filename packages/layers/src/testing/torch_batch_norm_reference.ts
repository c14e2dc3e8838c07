/**
 * torch.nn.BatchNorm2d's running-statistics update in float64, the reference the training BN
 * tests compare with: running = (1 − m)·running + m·batch, with the batch mean and the unbiased
 * batch variance (sum of squared deviations / (n − 1)).
 *
 * @param x the layer's input, channels last: n rows of `oldMean.length` channels.
 * @param m PyTorch's momentum (Keras' 1 − momentum).
 */
export function torchRunningStatistics(
  x: ArrayLike<number>,
  oldMean: ArrayLike<number>,
  oldVariance: ArrayLike<number>,
  m = 0.1,
): { mean: Float64Array; variance: Float64Array } {
  const c = oldMean.length;
  const n = x.length / c;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let r = 0; r < n; r++) sum += x[r * c + ch]!;
    const mu = sum / n;
    let squares = 0;
    for (let r = 0; r < n; r++) squares += (x[r * c + ch]! - mu) ** 2;
    mean[ch] = (1 - m) * oldMean[ch]! + m * mu;
    variance[ch] = (1 - m) * oldVariance[ch]! + (m * squares) / (n - 1);
  }
  return { mean, variance };
}
