import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@resnext/backends';
import { toStateDict, writeSafetensors } from '@resnext/pretrained';
import { CheckpointError, loadCheckpoint, restoreBatchCounters, restoreWeights, type CheckpointContents } from '../checkpoint/checkpoint.js';
import { writeFileAtomic } from '@resnext/layers/node-io';
import { removeOrphanedRunTempFiles } from '../checkpoint/temp_files.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import { RecipeConfigError, validateRecipe, type RecipeOverrides } from '../config/resolve.js';
import { applyResumeOverrides, scheduleSpansRun } from '../config/resume_overrides.js';
import { createLoader, type Loader } from '../data/loader.js';
import { createOptimizer } from '../optim/create_optimizer.js';
import { namedWeights } from '../optim/params.js';
import type { EpochMetrics } from '../report/metrics.js';
import { Progress, type ProgressSink } from '../report/progress.js';
import { lrFactor } from '../schedule/lr_schedule.js';
import { buildModel, loadPretrained } from './build_model.js';
import { readCheckpointHeader, type CheckpointHeader } from './checkpoint_recipe.js';
import { WeightEma } from './ema.js';
import { disposeTraining, runEpoch, type Training } from './epoch.js';
import { openSources, type DataSources } from './sources.js';
import { GradientAccumulator } from './train_step.js';

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

type RunPaths = ReturnType<typeof runPaths>;

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
  const sink = options.progress ?? process.stdout;
  const note = (text: string) => sink.write(`${sink.isTTY === true ? '\r\x1b[K' : ''}${text}\n`);
  const { recipe, header } = await prepareRun(recipeIn, options, paths, note);
  if (options.selectBackend !== false) await selectRecipeBackend(recipe, note);
  const checkpoint = header === null ? null : await loadCheckpoint(paths.checkpoint);
  const loaders = await openData(recipe, options, paths, note);
  const training = await buildTraining(recipe, options, paths, loaders, sink, checkpoint === null);
  if (checkpoint !== null) restoreFromCheckpoint(training, checkpoint, paths.checkpoint, note);
  if (header !== null && header.config.epochs !== recipe.epochs) noteEpochsChange(training, header.config.epochs, note);

  // The ETA's pace counts from here: building and restoring are not training.
  training.session.start = performance.now();
  for (let epoch = training.state.epoch; epoch < recipe.epochs; epoch++) {
    if (await runEpoch(training, epoch)) {
      disposeTraining(training);
      const interrupted = { epoch, step: training.state.loaderStep, stepsPerEpoch: training.trainLoader.stepsPerEpoch, checkpoint: paths.checkpoint };
      return { runDir: options.out, history: training.state.history, config: recipe, interrupted };
    }
  }

  await writeFinalWeights(training, paths);
  note(`run directory ${options.out}`);
  disposeTraining(training);
  return { runDir: options.out, history: training.state.history, config: recipe };
}

/**
 * The recipe the run uses, decided before anything is built: leftovers of a killed run are removed,
 * a directory that holds a run is refused unless resuming, and a resumed run takes the recipe
 * stored in its checkpoint (with the overrides that are safe). The checkpoint's header is read
 * first, without its tensors, because that recipe names the backend, which must be selected
 * before any tensor exists.
 */
async function prepareRun(recipeIn: RecipeConfig, options: TrainOptions, paths: RunPaths, note: (text: string) => void): Promise<{ recipe: RecipeConfig; header: CheckpointHeader | null }> {
  const resume = options.resume === true;
  await removeOrphanedRunTempFiles(options.out, path.dirname(paths.checkpoint), note);
  if (!resume && (await exists(paths.checkpoint))) {
    throw new CheckpointError(`${options.out} already holds a run (${paths.checkpoint}); continue it with resume (--resume) or choose another output directory.`);
  }
  const header = resume ? await readCheckpointHeader(paths.checkpoint) : null;
  const recipe = header === null ? structuredClone(recipeIn) : applyResumeOverrides(header.config, header.state, options.resumeOverrides ?? {}, { reschedule: options.reschedule === true });
  validateRecipe(recipe);
  return { recipe, header };
}

/** Selects the recipe's backend (and thread count) and says which one runs. */
async function selectRecipeBackend(recipe: RecipeConfig, note: (text: string) => void): Promise<void> {
  const info = await useBackend(recipe.backend.name, recipe.backend.threads === undefined ? {} : { threads: recipe.backend.threads });
  note(`backend ${info.name}${info.threads === undefined ? '' : `, ${info.threads} thread(s)`}`);
}

/**
 * Opens the dataset and writes config.json: after the data, because an image folder decides the
 * class count the config records. Returns the training loader (shuffled, augmented, whole
 * micro-batches) and the evaluation loader.
 */
async function openData(recipe: RecipeConfig, options: TrainOptions, paths: RunPaths, note: (text: string) => void): Promise<{ trainLoader: Loader; testLoader: Loader }> {
  const sources = options.sources ?? (await openSources(recipe));
  adoptClassCount(recipe, sources, note);
  await fs.mkdir(path.dirname(paths.checkpoint), { recursive: true });
  await writeFileAtomic(paths.config, JSON.stringify(recipe, null, 2) + '\n');
  const microBatch = recipe.batchSize / recipe.gradAccumulation;
  const trainLoader = createLoader(sources.train, {
    batchSize: microBatch,
    transform: recipe.trainTransform,
    shuffle: true,
    seed: recipe.seed,
    dropLast: true,
    mixup: recipe.mixup,
    cutmix: recipe.cutmix,
    ...(recipe.dataset.trainLimit !== undefined && { limit: recipe.dataset.trainLimit }),
  });
  const testLoader = createLoader(sources.test, {
    batchSize: microBatch,
    transform: recipe.evalTransform,
    shuffle: false,
    seed: recipe.seed,
    ...(recipe.dataset.testLimit !== undefined && { limit: recipe.dataset.testLimit }),
  });
  return { trainLoader, testLoader };
}

/**
 * The seeded model, its optimizer and EMA, and the learning rate of every optimizer step, at the
 * start of a run (a resumed run then restores its checkpoint into them). A fresh fine-tuning run
 * loads its pretrained weights here, before the EMA copies the weights it starts from.
 */
async function buildTraining(recipe: RecipeConfig, options: TrainOptions, paths: RunPaths, loaders: { trainLoader: Loader; testLoader: Loader }, sink: ProgressSink, fresh: boolean): Promise<Training> {
  const loaderSteps = loaders.trainLoader.stepsPerEpoch;
  const bar = new Progress(sink, recipe.epochs, loaderSteps);
  const model = buildModel(recipe);
  if (recipe.finetune !== null && fresh) await loadPretrained(model, recipe);
  const weights = namedWeights(model);
  const optimizer = createOptimizer(recipe.optimizer);
  const ema = recipe.ema === null ? null : new WeightEma(weights, recipe.ema.decay);
  // The schedule counts optimizer steps; the linear scaling rule scales the recipe's rate.
  const optimizerStepsPerEpoch = Math.ceil(loaderSteps / recipe.gradAccumulation);
  const baseLr = recipe.optimizer.lr * (recipe.lrReferenceBatch === undefined ? 1 : recipe.batchSize / recipe.lrReferenceBatch);
  const lrAt = (step: number, epochs = recipe.epochs) => baseLr * lrFactor(recipe.schedule, { step, stepsPerEpoch: optimizerStepsPerEpoch, epochs });
  return {
    recipe,
    out: options.out,
    checkpointFile: paths.checkpoint,
    signal: options.signal,
    model,
    weights,
    optimizer,
    ema,
    ...loaders,
    bar,
    lrAt,
    state: { epoch: 0, loaderStep: 0, optimizerStep: 0, running: { lossSum: 0, correct: 0, count: 0 }, history: [], elapsedSeconds: 0 },
    accumulator: new GradientAccumulator(),
    session: { start: 0, steps: 0 },
  };
}

/** Puts a checkpoint's weights, BN counters, optimizer slots, EMA and position into the run, then frees its tensors. */
function restoreFromCheckpoint(t: Training, checkpoint: CheckpointContents, file: string, note: (text: string) => void): void {
  restoreWeights(t.weights, checkpoint.weights, file);
  restoreBatchCounters(t.model, checkpoint.batchCounters, file);
  t.optimizer.setState(checkpoint.optimizer);
  if (t.ema !== null && checkpoint.ema !== null) t.ema.load(checkpoint.ema);
  tf.dispose([...checkpoint.weights.values(), ...checkpoint.optimizer.slots.values(), ...(checkpoint.ema?.values() ?? [])]);
  t.state = checkpoint.state;
  const epochs = t.recipe.epochs;
  note(t.state.epoch >= epochs ? `the run has finished its ${epochs} epoch(s); pass more epochs to train further` : `resumed at epoch ${t.state.epoch + 1}, step ${t.state.loaderStep}/${t.trainLoader.stepsPerEpoch}`);
}

/** A resume that changed the epoch count says so, and how the learning rate moves when the schedule spans the run. */
function noteEpochsChange(t: Training, epochsBefore: number, note: (text: string) => void): void {
  const { recipe, lrAt } = t;
  const at = t.state.optimizerStep;
  const change = scheduleSpansRun(recipe.schedule) ? `; the ${recipe.schedule.kind} schedule now spans them: lr at step ${at} ${lrAt(at, epochsBefore).toPrecision(3)} → ${lrAt(at).toPrecision(3)}` : '';
  note(`epochs ${epochsBefore} → ${recipe.epochs}${change}`);
}

/** The final weights with torchvision keys (model.safetensors), and the EMA's when the recipe keeps one. */
async function writeFinalWeights(t: Training, paths: RunPaths): Promise<void> {
  const { model, ema, recipe } = t;
  await writeFileAtomic(paths.model, writeSafetensors(toStateDict(model), { recipe: recipe.name }));
  if (ema !== null) await ema.withAveragedWeights(() => writeFileAtomic(paths.emaModel, writeSafetensors(toStateDict(model), { recipe: recipe.name, ema: String(recipe.ema!.decay) })));
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
