import * as path from 'node:path';
import { writeFileAtomic } from '@resnext/layers/node-io';
import { metricsCsv, metricsJsonl, type EpochMetrics, type PartialEpochMetrics } from './metrics.js';
import { plotSvg } from './plot_svg.js';

/**
 * Writes a run directory's report: metrics.jsonl, metrics.csv and plot.svg, each atomically,
 * with the epoch in progress (`partial`) after the finished ones when given. Rewritten from the
 * whole history, so after a resume the files hold one line per finished epoch, never a duplicate
 * from the interrupted attempt.
 */
export async function writeReport(runDir: string, title: string, history: readonly EpochMetrics[], partial?: PartialEpochMetrics): Promise<void> {
  await writeFileAtomic(path.join(runDir, 'metrics.jsonl'), metricsJsonl(history, partial));
  await writeRenderedReport(runDir, title, history, partial);
}

/**
 * Writes the files rendered from the metrics — metrics.csv and plot.svg — and not metrics.jsonl:
 * for a run whose metrics.jsonl another process writes (the torchrun engine's rank 0), which
 * a rewrite from an older reading would overwrite.
 */
export async function writeRenderedReport(runDir: string, title: string, history: readonly EpochMetrics[], partial?: PartialEpochMetrics): Promise<void> {
  await writeFileAtomic(path.join(runDir, 'metrics.csv'), metricsCsv(history, partial));
  await writeFileAtomic(path.join(runDir, 'plot.svg'), plotSvg(history, title, partial));
}
