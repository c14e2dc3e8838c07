import { describe, expect, it } from 'vitest';
import type { EpochMetrics, PartialEpochMetrics } from './metrics.js';
import { plotSvg } from './plot_svg.js';

const epoch1: EpochMetrics = { epoch: 1, trainLoss: 1.2, trainAccuracy: 0.6, testLoss: 0.9, testAccuracy: 0.7, lr: 0.1, imagesPerSecond: 170, seconds: 360 };
const partial: PartialEpochMetrics = { epoch: 1.35, trainLoss: 0.8, trainAccuracy: 0.75, lr: 0.12, imagesPerSecond: 175, seconds: 120, partial: true };

describe('plotSvg', () => {
  it('draws finished epochs with filled points and no progress note', () => {
    const svg = plotSvg([epoch1], 'run');
    expect(svg).not.toContain('in progress');
    expect(svg).not.toContain('fill="white" stroke=');
  });

  it('extends the train curves to the epoch in progress with a hollow point', () => {
    const svg = plotSvg([epoch1], 'run', partial);
    expect(svg).toContain('run (epoch 2 in progress, 35%)');
    // One hollow point on the train curve of each panel; the test curves stop at epoch 1.
    expect(svg.match(/fill="white" stroke="#1f77b4"/g)).toHaveLength(2);
    expect(svg).toContain('>1.35</text>');
  });

  it('plots the first epoch in progress alone', () => {
    const svg = plotSvg([], 'run', { ...partial, epoch: 0.4 });
    expect(svg).toContain('(epoch 1 in progress, 40%)');
    expect(svg).not.toContain('NaN');
  });

  it('rounds the share of the epoch as 100 × step / steps does (step 9 of 40 is 23%, not 22%)', () => {
    for (const [done, step, steps, percent] of [[0, 9, 40, 23], [1, 9, 40, 23], [3, 1, 8, 13], [2, 7, 8, 88]] as const) {
      expect(Math.round((100 * step) / steps)).toBe(percent);
      expect(plotSvg([], 'run', { ...partial, epoch: done + step / steps })).toContain(`(epoch ${done + 1} in progress, ${percent}%)`);
    }
  });
});
