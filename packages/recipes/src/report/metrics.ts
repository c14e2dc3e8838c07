
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

/**
 * The epoch in progress, written with the metrics at every mid-epoch checkpoint: training
 * figures so far, no evaluation yet. `epoch` is fractional: epochs finished plus the share of the
 * current one done (1.35 = 35% into epoch 2).
 */
export interface PartialEpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  lr: number;
  imagesPerSecond: number;
  seconds: number;
  partial: true;
}

const COLUMNS: (keyof EpochMetrics)[] = [
  'epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'emaTestLoss', 'emaTestAccuracy', 'lr', 'imagesPerSecond', 'seconds',
];

/**
 * metrics.csv text: a header and one row per epoch (empty cells for absent EMA columns). A
 * `partial` epoch in progress adds a last row with a fractional epoch and empty test cells; the
 * columns are the same either way.
 */
export function metricsCsv(history: readonly EpochMetrics[], partial?: PartialEpochMetrics): string {
  const row = (m: Partial<Record<keyof EpochMetrics, number>>) => COLUMNS.map((c) => (m[c] === undefined ? '' : String(m[c]))).join(',');
  const rows = [...history, ...(partial === undefined ? [] : [partial])].map(row);
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** metrics.jsonl text: one JSON object per epoch; a `partial` epoch last, with `"partial": true`. */
export function metricsJsonl(history: readonly EpochMetrics[], partial?: PartialEpochMetrics): string {
  return [...history, ...(partial === undefined ? [] : [partial])].map((m) => JSON.stringify(m) + '\n').join('');
}
