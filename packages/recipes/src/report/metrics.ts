import * as path from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic_write.js';

/** One epoch's results, as a line of metrics.jsonl and a row of metrics.csv. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  epoch: number;
  trainLoss: number;
  /** Top-1 accuracy on the training batches (against the hard labels), in [0, 1]. */
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Evaluation with the EMA weights, when the recipe keeps an EMA. */
  emaTestLoss?: number;
  emaTestAccuracy?: number;
  /** Learning rate at the epoch's last optimizer step. */
  lr: number;
  /** Training images per second over the epoch (evaluation excluded). */
  imagesPerSecond: number;
  /** Wall-clock seconds of the epoch, evaluation included. */
  seconds: number;
}

const COLUMNS: (keyof EpochMetrics)[] = [
  'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'emaTestLoss', 'emaTestAccuracy', 'lr', 'imagesPerSecond', 'seconds',
];

/** metrics.csv text: a header and one row per epoch (empty cells for absent EMA columns). */
export function metricsCsv(history: readonly EpochMetrics[]): string {
  const rows = history.map((m) => COLUMNS.map((c) => (m[c] === undefined ? '' : String(m[c]))).join(','));
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** metrics.jsonl text: one JSON object per epoch. */
export function metricsJsonl(history: readonly EpochMetrics[]): string {
  return history.map((m) => JSON.stringify(m) + '\n').join('');
}

/**
 * Rewrites metrics.jsonl and metrics.csv from the whole history: after a resume the files hold
 * exactly one line per finished epoch, never a duplicate from the interrupted attempt.
 */
export async function writeMetrics(runDir: string, history: readonly EpochMetrics[]): Promise<void> {
  await writeFileAtomic(path.join(runDir, 'metrics.jsonl'), metricsJsonl(history));
  await writeFileAtomic(path.join(runDir, 'metrics.csv'), metricsCsv(history));
}
