import * as fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { metricsCsv, metricsJsonl, type EpochMetrics, type PartialEpochMetrics } from './metrics.js';

const epoch1: EpochMetrics = { epoch: 1, trainLoss: 1.2, trainAccuracy: 0.6, testLoss: 0.9, testAccuracy: 0.7, lr: 0.1, imagesPerSecond: 170, seconds: 360 };
const partial: PartialEpochMetrics = { epoch: 1.35, trainLoss: 0.8, trainAccuracy: 0.75, lr: 0.12, imagesPerSecond: 175, seconds: 120, partial: true };

describe('metrics files', () => {
  it('keep the columns of the published results (docs/fashion-mnist-*.csv)', async () => {
    for (const name of ['fashion-mnist-full.csv', 'fashion-mnist-quick.csv']) {
      const published = await fs.readFile(new URL(`../../../../docs/${name}`, import.meta.url), 'utf8');
      expect(metricsCsv([]).split('\n')[0]).toBe(published.split('\n')[0]);
    }
    expect(metricsCsv([epoch1])).toBe(
      'epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,emaTestLoss,emaTestAccuracy,lr,imagesPerSecond,seconds\n1,1.2,0.6,0.9,0.7,,,0.1,170,360\n',
    );
  });

  it('end with the epoch in progress: fractional epoch, empty test cells, "partial": true', () => {
    expect(metricsCsv([epoch1], partial).trim().split('\n').at(-1)).toBe('1.35,0.8,0.75,,,,,0.12,175,120');
    const lines = metricsJsonl([epoch1], partial).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual(partial);
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('partial');
  });
});
