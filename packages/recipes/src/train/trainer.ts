import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import { toStateDict, writeSafetensors } from '@resnext/pretrained';
import { batchCounters, CheckpointError, loadCheckpoint, restoreBatchCounters, restoreWeights, saveCheckpoint, type TrainState } from '../checkpoint/checkpoint.js';
import { writeFileAtomic } from '../checkpoint/atomic_write.js';
import { removeOrphanedRunTempFiles } from '../checkpoint/temp_files.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import { RecipeConfigError, validateRecipe, type RecipeOverrides } from '../config/resolve.js';
import { applyResumeOverrides, scheduleSpansRun } from '../config/resume_overrides.js';
import { createLoader } from '../data/loader.js';
import { createOptimizer } from '../optim/create_optimizer.js';
import { namedWeights, paramGroups, type NamedWeight } from '../optim/params.js';
import type { EpochMetrics, PartialEpochMetrics } from '../report/metrics.js';
import { Progress, type ProgressSink } from '../report/progress.js';
import { writeReport } from '../report/write_report.js';
import { lrFactor } from '../schedule/lr_schedule.js';
import { HEAD_LAYER, buildModel, loadPretrained } from './build_model.js';
import { readCheckpointHeader } from './checkpoint_recipe.js';
import { WeightEma } from './ema.js';
import { evaluate } from './evaluate.js';
import { openSources, type DataSources } from './sources.js';
import { GradientAccumulator, microBatchGradients } from './train_step.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** The run directory (created if needed). */
  out: string;
  /** Continue from `<out>/checkpoints/last.safetensors`; its recipe replaces the one given. */
  resume?: boolean;
  /**
   * With `resume`: overrides of the checkpoint's recipe, applied where safe on a run in progress
   * and refused otherwise (see {@link applyResumeOverrides}).
   */
  resumeOverrides?: RecipeOverrides;
  /** With `resumeOverrides.epochs`: accept recomputing a schedule that spans the run over the new length. */
  reschedule?: boolean;
  /**
   * Once aborted, the run stops at the end of the optimizer step in progress (all its
   * micro-batches), writes a checkpoint, the metrics and the plot, and returns with
   * `interrupted` set.
   */
  signal?: AbortSignal;
  /** Where progress goes. Default process.stdout. */
  progress?: ProgressSink;
  /** Images to use instead of the recipe's dataset (tests, custom data). */
  sources?: DataSources;
  /** Select the recipe's backend with @resnext/backends' useBackend. Default true. */
  selectBackend?: boolean;
}

/** What a finished run returns. */
export interface TrainResult {
  runDir: string;
  /** Metrics of every epoch (also in metrics.jsonl). */
  history: EpochMetrics[];
  /** The recipe as run (also in config.json). */
  config: RecipeConfig;
  /** Set when `signal` stopped the run: where, and the checkpoint that resumes it. */
  interrupted?: { epoch: number; step: number; stepsPerEpoch: number; checkpoint: string };
}

/** Paths inside a run directory. */
export function runPaths(runDir: string) {
  return {
    config: path.join(runDir, 'config.json'),
    checkpoint: path.join(runDir, 'checkpoints', 'last.safetensors'),
    model: path.join(runDir, 'model.safetensors'),
    emaModel: path.join(runDir, 'model_ema.safetensors'),
    plot: path.join(runDir, 'plot.svg'),
  };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Runs a recipe: the seeded model (plus pretrained weights for fine-tuning), the loaders, the
 * optimizer with its schedule, gradient accumulation, EMA, backbone freezing, per-epoch evaluation,
 * and the run directory (config.json, metrics.jsonl/csv, checkpoints, plot.svg, the final weights
 * as a torchvision-keyed model.safetensors). A checkpoint is written every
 * `checkpointEverySteps` optimizer steps (with the metrics and plot of the epoch so far) and after
 * each epoch; `resume` continues from the last one and reaches the same weights and metrics an
 * uninterrupted run would (the loader's randomness is a function of (seed, epoch, step), the
 * schedule a function of the step). `signal` stops the run early, resumably. Temporary files that
 * a killed run left in the run directory are removed first (see `removeOrphanedTempFiles`).
 */
export async function train(recipeIn: RecipeConfig, options: TrainOptions): Promise<TrainResult> {
  const paths = runPaths(options.out);
  const resume = options.resume === true;
  const sink = options.progress ?? process.stdout;
  const note = (text: string) => sink.write(`${sink.isTTY === true ? '\r\x1b[K' : ''}${text}\n`);
  await removeOrphanedRunTempFiles(options.out, path.dirname(paths.checkpoint), note);
  if (!resume && (await exists(paths.checkpoint))) {
    throw new CheckpointError(`${options.out} already holds a run (${paths.checkpoint}); continue it with resume (--resume) or choose another output directory.`);
  }
  // The backend must be selected before the checkpoint's tensors are created, and the checkpoint's
  // recipe names it: read the recipe from the header first.
  const header = resume ? await readCheckpointHeader(paths.checkpoint) : null;
  const recipe = header === null ? structuredClone(recipeIn) : applyResumeOverrides(header.config, header.state, options.resumeOverrides ?? {}, { reschedule: options.reschedule === true });
  validateRecipe(recipe);
  if (options.selectBackend !== false) {
    const info = await useBackend(recipe.backend.name, recipe.backend.threads === undefined ? {} : { threads: recipe.backend.threads });
    note(`backend ${info.name}${info.threads === undefined ? '' : `, ${info.threads} thread(s)`}`);
  }
  const checkpoint = resume ? await loadCheckpoint(paths.checkpoint) : null;
  const sources = options.sources ?? (await openSources(recipe));
  adoptClassCount(recipe, sources, note);
  await fs.mkdir(path.dirname(paths.checkpoint), { recursive: true });
  await writeFileAtomic(paths.config, JSON.stringify(recipe, null, 2) + '\n');
  const k = recipe.gradAccumulation;
  const numClasses = recipe.model.numClasses;
  const trainLoader = createLoader(sources.train, {
    batchSize: recipe.batchSize / k,
    transform: recipe.trainTransform,
    shuffle: true,
    seed: recipe.seed,
    dropLast: true,
    mixup: recipe.mixup,
    cutmix: recipe.cutmix,
    ...(recipe.dataset.trainLimit !== undefined && { limit: recipe.dataset.trainLimit }),
  });
  const testLoader = createLoader(sources.test, {
    batchSize: recipe.batchSize / k,
    transform: recipe.evalTransform,
    shuffle: false,
    seed: recipe.seed,
    ...(recipe.dataset.testLimit !== undefined && { limit: recipe.dataset.testLimit }),
  });
  const loaderSteps = trainLoader.stepsPerEpoch;
  const optimizerStepsPerEpoch = Math.ceil(loaderSteps / k);
  const bar = new Progress(sink, recipe.epochs, loaderSteps);

  const model = buildModel(recipe);
  if (recipe.finetune !== null && checkpoint === null) await loadPretrained(model, recipe);
  const weights = namedWeights(model);
  const optimizer = createOptimizer(recipe.optimizer);
  const ema = recipe.ema === null ? null : new WeightEma(weights, recipe.ema.decay);
  let state: TrainState = { epoch: 0, loaderStep: 0, optimizerStep: 0, running: { lossSum: 0, correct: 0, count: 0 }, history: [], elapsedSeconds: 0 };
  if (checkpoint !== null) {
    restoreWeights(weights, checkpoint.weights, paths.checkpoint);
    restoreBatchCounters(model, checkpoint.batchCounters, paths.checkpoint);
    optimizer.setState(checkpoint.optimizer);
    if (ema !== null && checkpoint.ema !== null) ema.load(checkpoint.ema);
    tf.dispose([...checkpoint.weights.values(), ...checkpoint.optimizer.slots.values(), ...(checkpoint.ema?.values() ?? [])]);
    state = checkpoint.state;
    note(state.epoch >= recipe.epochs ? `the run has finished its ${recipe.epochs} epoch(s); pass more epochs to train further` : `resumed at epoch ${state.epoch + 1}, step ${state.loaderStep}/${loaderSteps}`);
  }

  const baseLr = recipe.optimizer.lr * (recipe.lrReferenceBatch === undefined ? 1 : recipe.batchSize / recipe.lrReferenceBatch);
  const lrAt = (step: number, epochs = recipe.epochs) => baseLr * lrFactor(recipe.schedule, { step, stepsPerEpoch: optimizerStepsPerEpoch, epochs });
  if (header !== null && header.config.epochs !== recipe.epochs) {
    const at = state.optimizerStep;
    const change = scheduleSpansRun(recipe.schedule) ? `; the ${recipe.schedule.kind} schedule now spans them: lr at step ${at} ${lrAt(at, header.config.epochs).toPrecision(3)} → ${lrAt(at).toPrecision(3)}` : '';
    note(`epochs ${header.config.epochs} → ${recipe.epochs}${change}`);
  }

  const save = async (at: TrainState) => {
    const opt = optimizer.getState();
    try {
      await saveCheckpoint(paths.checkpoint, { state: at, config: recipe, weights, optimizer: opt, ema: ema?.shadow ?? null, batchCounters: batchCounters(model) });
    } finally {
      tf.dispose([...opt.slots.values()]);
    }
  };

  const aborted = () => options.signal?.aborted === true;
  const dispose = () => {
    optimizer.dispose();
    ema?.dispose();
    model.dispose();
  };
  const totalLoaderSteps = recipe.epochs * loaderSteps;
  const sessionStart = performance.now();
  let sessionSteps = 0;
  const accumulator = new GradientAccumulator();
  for (let epoch = state.epoch; epoch < recipe.epochs; epoch++) {
    // This epoch's figures carry over a resume when the checkpoint has them.
    const carried = state.running.trainSeconds !== undefined;
    const epochStart = performance.now() - 1000 * (state.running.wallSeconds ?? 0);
    let epochTrainSeconds = state.running.trainSeconds ?? 0;
    let epochImages = carried ? state.running.count : 0;
    let sessionTrainSeconds = 0;
    const params = paramsForEpoch(weights, recipe, epoch);
    let lr = state.optimizerStep > 0 ? lrAt(state.optimizerStep - 1) : 0;
    /** The state to checkpoint mid-epoch, and the metrics of the epoch so far. */
    const midEpoch = (): { at: TrainState; partial: PartialEpochMetrics | undefined } => {
      const wallSeconds = (performance.now() - epochStart) / 1000;
      const at = { ...state, running: { ...state.running, trainSeconds: epochTrainSeconds, wallSeconds }, elapsedSeconds: state.elapsedSeconds + sessionTrainSeconds };
      const r = state.running;
      const partial: PartialEpochMetrics | undefined =
        r.count === 0
          ? undefined
          : { epoch: epoch + state.loaderStep / loaderSteps, trainLoss: r.lossSum / r.count, trainAccuracy: r.correct / r.count, lr, imagesPerSecond: epochImages / epochTrainSeconds, seconds: wallSeconds, partial: true };
      return { at, partial };
    };
    const checkpointMidEpoch = async () => {
      const { at, partial } = midEpoch();
      await save(at);
      await writeReport(options.out, recipe.name, state.history, partial);
    };
    const stopped = async (): Promise<TrainResult> => {
      await checkpointMidEpoch();
      dispose();
      return { runDir: options.out, history: state.history, config: recipe, interrupted: { epoch, step: state.loaderStep, stepsPerEpoch: loaderSteps, checkpoint: paths.checkpoint } };
    };
    if (aborted()) return stopped();
    let t0 = performance.now();
    for await (const batch of trainLoader.epoch(epoch, state.loaderStep)) {
      const n = batch.shape[0];
      const r = await microBatchGradients(model, params, batch, numClasses, recipe.labelSmoothing);
      accumulator.add(r.grads, n);
      state.running.lossSum += r.lossSum;
      state.running.correct += r.correct;
      state.running.count += n;
      state.loaderStep = batch.step + 1;
      epochImages += n;
      const lastOfEpoch = state.loaderStep === loaderSteps;
      if (accumulator.microBatches === k || lastOfEpoch) {
        lr = lrAt(state.optimizerStep);
        const grads = accumulator.take();
        optimizer.step(params, grads, lr);
        tf.dispose([...grads.values()]);
        ema?.update();
        state.optimizerStep += 1;
      }
      const now = performance.now();
      epochTrainSeconds += (now - t0) / 1000;
      sessionTrainSeconds += (now - t0) / 1000;
      sessionSteps += 1;
      const pace = (now - sessionStart) / 1000 / sessionSteps;
      const done = epoch * loaderSteps + state.loaderStep;
      bar.step({ epoch, step: state.loaderStep, loss: r.lossSum / n, lr, imagesPerSecond: epochImages / epochTrainSeconds, etaSeconds: pace * (totalLoaderSteps - done) });
      // A step can run on microtasks alone (in-memory data, synchronous kernels): give the event
      // loop a turn so a signal handler (SIGINT, SIGTERM) runs before the next step.
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Checkpoints fall between optimizer steps (a checkpoint holds no accumulated gradients).
      const boundary = accumulator.microBatches === 0;
      if (boundary && aborted()) return stopped();
      const every = recipe.checkpointEverySteps;
      if (boundary && every > 0 && state.optimizerStep % every === 0 && !lastOfEpoch) await checkpointMidEpoch();
      t0 = performance.now();
    }
    // A signal during the evaluation stops the run at the end of the epoch's training: the
    // resumed run evaluates the epoch.
    const evaluation = await evaluate(model, testLoader, numClasses, options.signal);
    const emaEvaluation = ema === null || evaluation === null ? null : await ema.withAveragedWeights(() => evaluate(model, testLoader, numClasses, options.signal));
    if (evaluation === null || (ema !== null && emaEvaluation === null)) return stopped();
    const metrics: EpochMetrics = {
      epoch: epoch + 1,
      trainLoss: state.running.lossSum / state.running.count,
      trainAccuracy: state.running.correct / state.running.count,
      testLoss: evaluation.loss,
      testAccuracy: evaluation.accuracy,
      ...(emaEvaluation !== null && { emaTestLoss: emaEvaluation.loss, emaTestAccuracy: emaEvaluation.accuracy }),
      lr,
      imagesPerSecond: epochImages / epochTrainSeconds,
      seconds: (performance.now() - epochStart) / 1000,
    };
    bar.epochEnd(metrics);
    state = {
      epoch: epoch + 1,
      loaderStep: 0,
      optimizerStep: state.optimizerStep,
      running: { lossSum: 0, correct: 0, count: 0 },
      history: [...state.history, metrics],
      elapsedSeconds: state.elapsedSeconds + sessionTrainSeconds,
    };
    await writeReport(options.out, recipe.name, state.history);
    await save(state);
  }

  await writeFileAtomic(paths.model, writeSafetensors(toStateDict(model), { recipe: recipe.name }));
  if (ema !== null) await ema.withAveragedWeights(() => writeFileAtomic(paths.emaModel, writeSafetensors(toStateDict(model), { recipe: recipe.name, ema: String(recipe.ema!.decay) })));
  note(`run directory ${options.out}`);
  dispose();
  return { runDir: options.out, history: state.history, config: recipe };
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

/**
 * An image folder decides the class count (the head follows it); for the fixed datasets a
 * mismatch between the recipe and the data is an error.
 */
function adoptClassCount(recipe: RecipeConfig, sources: DataSources, note: (text: string) => void): void {
  const found = sources.train.numClasses;
  if (found === recipe.model.numClasses) return;
  if (recipe.dataset.kind !== 'image-folder') {
    throw new RecipeConfigError(`Recipe "${recipe.name}": model.numClasses is ${recipe.model.numClasses} but ${sources.train.name} has ${found} classes.`);
  }
  note(`${sources.train.name}: ${found} classes, the head follows`);
  recipe.model.numClasses = found;
}
