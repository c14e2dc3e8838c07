/**
 * One epoch of a run: its training steps (with the mid-epoch checkpoints and the stop on a
 * signal), then its evaluation and the end-of-epoch checkpoint. `train()` sets the run up and
 * calls {@link runEpoch} once per epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchCounters, saveCheckpoint, type TrainState } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import type { Loader } from '../data/loader.js';
import type { Optimizer } from '../optim/optimizer.js';
import { paramGroups, type NamedWeight } from '../optim/params.js';
import type { EpochMetrics, PartialEpochMetrics } from '../report/metrics.js';
import type { Progress } from '../report/progress.js';
import { writeReport } from '../report/write_report.js';
import { HEAD_LAYER } from './build_model.js';
import type { WeightEma } from './ema.js';
import { evaluate } from './evaluate.js';
import { microBatchGradients, type GradientAccumulator } from './train_step.js';

/** A run in progress: what its epochs read and advance. */
export interface Training {
  recipe: RecipeConfig;
  /** The run directory. */
  out: string;
  /** `<out>/checkpoints/last.safetensors`. */
  checkpointFile: string;
  signal: AbortSignal | undefined;
  model: tfl.LayersModel;
  weights: readonly NamedWeight[];
  optimizer: Optimizer;
  ema: WeightEma | null;
  trainLoader: Loader;
  testLoader: Loader;
  bar: Progress;
  /** The learning rate of an optimizer step, for a run of `epochs` (default the recipe's). */
  lrAt: (step: number, epochs?: number) => number;
  /** Where the run is (epoch, steps, running sums) and the finished epochs' metrics. */
  state: TrainState;
  /** Micro-batch gradients waiting for their optimizer step; empty between optimizer steps. */
  accumulator: GradientAccumulator;
  /** This process's pace, for the ETA: when it started training and the loader steps it has run. */
  session: { start: number; steps: number };
}

/** The figures of the epoch in progress, beyond the running sums in `state`. */
interface EpochClock {
  /** performance.now() at the epoch's start, moved back by the wall time a resumed checkpoint carries. */
  start: number;
  /** Seconds spent in training steps this epoch, for img/s. */
  trainSeconds: number;
  /** Images trained on this epoch. */
  images: number;
  /** Seconds spent in training steps by this process this epoch, added to `elapsedSeconds`. */
  sessionTrainSeconds: number;
  /** The rate of the last optimizer step. */
  lr: number;
}

/**
 * Trains and evaluates `epoch`, checkpointing as the recipe asks. Returns true when the signal
 * stopped the run; a checkpoint of the position reached is then on disk.
 */
export async function runEpoch(t: Training, epoch: number): Promise<boolean> {
  const clock = startEpoch(t);
  if (aborted(t)) return stopMidEpoch(t, epoch, clock);
  if (await trainSteps(t, epoch, clock)) return true;
  return endEpoch(t, epoch, clock);
}

/** Releases the run's tensors: the optimizer's slots, the EMA and the model. */
export function disposeTraining(t: Training): void {
  t.optimizer.dispose();
  t.ema?.dispose();
  t.model.dispose();
}

function aborted(t: Training): boolean {
  return t.signal?.aborted === true;
}

/** The epoch's figures, carried over a resume when the checkpoint has them. */
function startEpoch(t: Training): EpochClock {
  const running = t.state.running;
  const carried = running.trainSeconds !== undefined;
  return {
    start: performance.now() - 1000 * (running.wallSeconds ?? 0),
    trainSeconds: running.trainSeconds ?? 0,
    images: carried ? running.count : 0,
    sessionTrainSeconds: 0,
    lr: t.state.optimizerStep > 0 ? t.lrAt(t.state.optimizerStep - 1) : 0,
  };
}

/**
 * The loader steps of the epoch from where the state stands. Returns true when the signal stopped
 * the run (after checkpointing); false when the epoch's training is done.
 */
async function trainSteps(t: Training, epoch: number, clock: EpochClock): Promise<boolean> {
  const { recipe, state, accumulator } = t;
  const k = recipe.gradAccumulation;
  const loaderSteps = t.trainLoader.stepsPerEpoch;
  const totalLoaderSteps = recipe.epochs * loaderSteps;
  const params = paramsForEpoch(t.weights, recipe, epoch);
  let t0 = performance.now();
  for await (const batch of t.trainLoader.epoch(epoch, state.loaderStep)) {
    const n = batch.shape[0];
    const r = await microBatchGradients(t.model, params, batch, recipe.model.numClasses, recipe.labelSmoothing);
    accumulator.add(r.grads, n);
    state.running.lossSum += r.lossSum;
    state.running.correct += r.correct;
    state.running.count += n;
    state.loaderStep = batch.step + 1;
    clock.images += n;
    const lastOfEpoch = state.loaderStep === loaderSteps;
    // The epoch's last micro-batch steps even when fewer than k are accumulated.
    if (accumulator.microBatches === k || lastOfEpoch) {
      clock.lr = t.lrAt(state.optimizerStep);
      const grads = accumulator.take();
      t.optimizer.step(params, grads, clock.lr);
      tf.dispose([...grads.values()]);
      t.ema?.update();
      state.optimizerStep += 1;
    }
    const now = performance.now();
    clock.trainSeconds += (now - t0) / 1000;
    clock.sessionTrainSeconds += (now - t0) / 1000;
    t.session.steps += 1;
    const pace = (now - t.session.start) / 1000 / t.session.steps;
    const done = epoch * loaderSteps + state.loaderStep;
    t.bar.step({ epoch, step: state.loaderStep, loss: r.lossSum / n, lr: clock.lr, imagesPerSecond: clock.images / clock.trainSeconds, etaSeconds: pace * (totalLoaderSteps - done) });
    // A step can run on microtasks alone (in-memory data, synchronous kernels): give the event
    // loop a turn so a signal handler (SIGINT, SIGTERM) runs before the next step.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Checkpoints fall between optimizer steps (a checkpoint holds no accumulated gradients).
    const boundary = accumulator.microBatches === 0;
    if (boundary && aborted(t)) return stopMidEpoch(t, epoch, clock);
    const every = recipe.checkpointEverySteps;
    if (boundary && every > 0 && state.optimizerStep % every === 0 && !lastOfEpoch) await checkpointMidEpoch(t, epoch, clock);
    t0 = performance.now();
  }
  return false;
}

/**
 * Evaluates the trained epoch (raw and EMA weights), records its metrics and checkpoints the start
 * of the next. Returns true when the signal stopped the run during the evaluation: the run then
 * stops at the end of the epoch's training, and the resumed run evaluates the epoch.
 */
async function endEpoch(t: Training, epoch: number, clock: EpochClock): Promise<boolean> {
  const { model, ema, testLoader, state } = t;
  const numClasses = t.recipe.model.numClasses;
  const evaluation = await evaluate(model, testLoader, numClasses, t.signal);
  const emaEvaluation = ema === null || evaluation === null ? null : await ema.withAveragedWeights(() => evaluate(model, testLoader, numClasses, t.signal));
  if (evaluation === null || (ema !== null && emaEvaluation === null)) return stopMidEpoch(t, epoch, clock);
  const metrics: EpochMetrics = {
    epoch: epoch + 1,
    trainLoss: state.running.lossSum / state.running.count,
    trainAccuracy: state.running.correct / state.running.count,
    testLoss: evaluation.loss,
    testAccuracy: evaluation.accuracy,
    ...(emaEvaluation !== null && { emaTestLoss: emaEvaluation.loss, emaTestAccuracy: emaEvaluation.accuracy }),
    lr: clock.lr,
    imagesPerSecond: clock.images / clock.trainSeconds,
    seconds: (performance.now() - clock.start) / 1000,
  };
  t.bar.epochEnd(metrics);
  t.state = {
    epoch: epoch + 1,
    loaderStep: 0,
    optimizerStep: state.optimizerStep,
    running: { lossSum: 0, correct: 0, count: 0 },
    history: [...state.history, metrics],
    elapsedSeconds: state.elapsedSeconds + clock.sessionTrainSeconds,
  };
  await writeReport(t.out, t.recipe.name, t.state.history);
  await saveTraining(t, t.state);
  return false;
}

/** Checkpoints the position reached so the run resumes there; returns true (the run stops). */
async function stopMidEpoch(t: Training, epoch: number, clock: EpochClock): Promise<boolean> {
  await checkpointMidEpoch(t, epoch, clock);
  return true;
}

/**
 * A checkpoint within the epoch, with the metrics and plot of the epoch so far: the checkpoint
 * carries the epoch's clock, so a resumed run reports the whole epoch's img/s and seconds.
 */
async function checkpointMidEpoch(t: Training, epoch: number, clock: EpochClock): Promise<void> {
  const { state } = t;
  const wallSeconds = (performance.now() - clock.start) / 1000;
  const at = { ...state, running: { ...state.running, trainSeconds: clock.trainSeconds, wallSeconds }, elapsedSeconds: state.elapsedSeconds + clock.sessionTrainSeconds };
  const r = state.running;
  const partial: PartialEpochMetrics | undefined =
    r.count === 0
      ? undefined
      : { epoch: epoch + state.loaderStep / t.trainLoader.stepsPerEpoch, trainLoss: r.lossSum / r.count, trainAccuracy: r.correct / r.count, lr: clock.lr, imagesPerSecond: clock.images / clock.trainSeconds, seconds: wallSeconds, partial: true };
  await saveTraining(t, at);
  await writeReport(t.out, t.recipe.name, state.history, partial);
}

/** Writes the checkpoint of `at`: weights, optimizer slots, EMA, BN batch counters and the recipe. */
async function saveTraining(t: Training, at: TrainState): Promise<void> {
  const optimizer = t.optimizer.getState();
  try {
    await saveCheckpoint(t.checkpointFile, { state: at, config: t.recipe, weights: t.weights, optimizer, ema: t.ema?.shadow ?? null, batchCounters: batchCounters(t.model) });
  } finally {
    tf.dispose([...optimizer.slots.values()]);
  }
}

/**
 * The parameters trained in `epoch`: everything, or only the head while a fine-tuned backbone is
 * frozen; afterwards the backbone learns at `backboneLrScale` × the scheduled rate.
 */
function paramsForEpoch(weights: readonly NamedWeight[], recipe: RecipeConfig, epoch: number) {
  const ft = recipe.finetune;
  const noDecayOnBnAndBias = recipe.optimizer.noDecayOnBnAndBias ?? true;
  const isHead = (w: NamedWeight) => w.layer === HEAD_LAYER;
  if (ft === null) return paramGroups(weights, { noDecayOnBnAndBias });
  if (epoch < ft.freezeBackboneEpochs) return paramGroups(weights.filter(isHead), { noDecayOnBnAndBias });
  return paramGroups(weights, { noDecayOnBnAndBias, lrScale: (w) => (isHead(w) ? 1 : ft.backboneLrScale) });
}
