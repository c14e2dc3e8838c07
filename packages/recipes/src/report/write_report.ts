import * as path from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic_write.js';
import { writeMetrics, type EpochMetrics, type PartialEpochMetrics } from './metrics.js';
import { plotSvg } from './plot_svg.js';

/**
 * Writes a run directory's report: metrics.jsonl, metrics.csv and plot.svg, each atomically,
 * with the epoch in progress (`partial`) after the finished ones when given.
 */
export async function writeReport(runDir: string, title: string, history: readonly EpochMetrics[], partial?: PartialEpochMetrics): Promise<void> {
  await writeMetrics(runDir, history, partial);
  await writeFileAtomic(path.join(runDir, 'plot.svg'), plotSvg(history, title, partial));
}
