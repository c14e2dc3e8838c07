import type { EpochMetrics } from './metrics.js';

/** Where progress goes: a stream, told whether it is a terminal. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** One training step's figures. */
export interface StepReport {
  epoch: number;
  /** Loader step within the epoch, 1-based after completion. */
  step: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
  /** Seconds left in the whole run, estimated from the pace so far. */
  etaSeconds: number;
}

/** `3725` → `1:02:05`, `65` → `1:05`. */
function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/**
 * Training progress: on a terminal one bar redrawn in place (epoch, step, loss, lr, img/s, ETA),
 * elsewhere (CI logs, files) plain lines about ten times per epoch.
 */
export class Progress {
  #lastDraw = 0;

  constructor(
    readonly sink: ProgressSink,
    readonly epochs: number,
    readonly stepsPerEpoch: number,
  ) {}

  /** Reports a finished step. */
  step(r: StepReport): void {
    const head = `epoch ${r.epoch + 1}/${this.epochs} step ${r.step}/${this.stepsPerEpoch}`;
    const tail = `loss ${r.loss.toFixed(4)} lr ${r.lr.toPrecision(3)} ${r.imagesPerSecond.toFixed(1)} img/s ETA ${formatDuration(r.etaSeconds)}`;
    if (this.sink.isTTY === true) {
      const now = Date.now();
      if (now - this.#lastDraw < 100 && r.step < this.stepsPerEpoch) return;
      this.#lastDraw = now;
      const width = 24;
      const done = Math.round((width * r.step) / this.stepsPerEpoch);
      this.sink.write(`\r${head} [${'='.repeat(done)}${' '.repeat(width - done)}] ${tail}\x1b[K`);
      return;
    }
    const every = Math.max(1, Math.floor(this.stepsPerEpoch / 10));
    if (r.step % every === 0 || r.step === this.stepsPerEpoch) this.sink.write(`${head} ${tail}\n`);
  }

  /** Reports an evaluated epoch on its own line. */
  epochEnd(m: EpochMetrics): void {
    const ema = m.emaTestAccuracy === undefined ? '' : ` ema-test-acc ${(100 * m.emaTestAccuracy).toFixed(2)}%`;
    const line =
      `epoch ${m.epoch}/${this.epochs} train-loss ${m.trainLoss.toFixed(4)} train-acc ${(100 * m.trainAccuracy).toFixed(2)}% ` +
      `test-loss ${m.testLoss.toFixed(4)} test-acc ${(100 * m.testAccuracy).toFixed(2)}%${ema} ${m.imagesPerSecond.toFixed(1)} img/s ${formatDuration(m.seconds)}`;
    this.sink.write(this.sink.isTTY === true ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
