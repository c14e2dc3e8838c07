import type { RecipeConfig, ScheduleSpec } from './recipe_config.js';
import { RecipeConfigError } from './recipe_config_error.js';
import type { RecipeOverrides } from './resolve.js';
import { validateRecipe } from './resolve.js';

/** Where a checkpointed run stands (the part of its state the overrides are checked against). */
export interface ResumePosition {
  /** Epochs finished. */
  epoch: number;
  /** Loader steps done in the epoch in progress (0 at an epoch boundary). */
  loaderStep: number;
}

/** Options of {@link applyResumeOverrides}. */
export interface ResumeOverrideOptions {
  /** Accept `epochs` on a schedule that spans the run (it is recomputed over the new length). */
  reschedule?: boolean;
}

/** The flag behind each override, for messages. */
const OVERRIDE_FLAGS: Record<keyof RecipeOverrides, string> = {
  epochs: '--epochs',
  batchSize: '--batch-size',
  lr: '--lr',
  backend: '--backend',
  threads: '--threads',
  seed: '--seed',
  dataDir: '--data-dir',
  quick: '--quick',
};

/**
 * True when the learning rate at a step depends on the number of epochs: cosine and one-cycle
 * anneal towards the end of the run (one-cycle's default warm-up is 30% of it), relative
 * milestones are fractions of it. Constant, step and absolute milestones do not.
 */
export function scheduleSpansRun(s: ScheduleSpec): boolean {
  return s.kind === 'cosine' || s.kind === 'onecycle' || (s.kind === 'multistep' && s.relative === true);
}

const REFUSED: Partial<Record<keyof RecipeOverrides, (saved: RecipeConfig) => string>> = {
  batchSize: (r) => `the checkpoint's position and optimizer state are for batches of ${r.batchSize}`,
  lr: (r) => `the run's learning rate is ${r.optimizer.lr} from its first step on`,
  seed: (r) => `the seed (${r.seed}) fixed the run's initialization, data order and augmentation`,
  quick: () => `--quick chooses a recipe variant, and the run's recipe is fixed`,
};

/**
 * The recipe a resumed run continues with: the checkpoint's own, plus the overrides that are
 * safe on a run in progress. `epochs` moves the end of the run (not before the epoch in
 * progress; on a schedule that spans the run only with `reschedule`, since its learning rate
 * at the resume point changes); `backend`, `threads` and `dataDir` change where and how it
 * computes. `batchSize`, `lr`, `seed` and `quick` are refused unless equal to the run's own.
 * Throws {@link RecipeConfigError} naming the flag.
 */
export function applyResumeOverrides(saved: RecipeConfig, at: ResumePosition, overrides: RecipeOverrides, options: ResumeOverrideOptions = {}): RecipeConfig {
  const r = structuredClone(saved);
  for (const [key, reason] of Object.entries(REFUSED) as [keyof RecipeOverrides, (s: RecipeConfig) => string][]) {
    const v = overrides[key];
    if (v === undefined || v === false) continue;
    const same = (key === 'batchSize' && v === saved.batchSize) || (key === 'lr' && v === saved.optimizer.lr) || (key === 'seed' && v === saved.seed);
    if (same) continue;
    throw new RecipeConfigError(`${OVERRIDE_FLAGS[key]} cannot change a run in progress: ${reason(saved)}. Start a new run (another --out) instead.`, OVERRIDE_FLAGS[key]);
  }
  const epochs = overrides.epochs;
  if (epochs !== undefined && epochs !== saved.epochs) {
    const least = at.loaderStep > 0 ? at.epoch + 1 : Math.max(1, at.epoch);
    if (epochs < least) {
      const where = at.loaderStep > 0 ? `is in epoch ${at.epoch + 1}` : `has finished ${at.epoch} epoch(s)`;
      throw new RecipeConfigError(`--epochs=${epochs} is too few: the run ${where}; pass --epochs=${least} or more.`, '--epochs');
    }
    if (scheduleSpansRun(saved.schedule) && options.reschedule !== true) {
      throw new RecipeConfigError(
        `--epochs=${epochs} on --resume would stretch the run's ${saved.schedule.kind} schedule from ${saved.epochs} to ${epochs} epochs, ` +
          `which changes the learning rate from the resume point on (it jumps, then anneals over the new length). ` +
          `Pass --reschedule to accept that, or resume without --epochs.`,
        '--epochs',
      );
    }
    r.epochs = epochs;
  }
  if (overrides.backend !== undefined) r.backend = { ...r.backend, name: overrides.backend };
  if (overrides.threads !== undefined) r.backend = { ...r.backend, threads: overrides.threads };
  if (overrides.dataDir !== undefined) r.dataset = { ...r.dataset, dir: overrides.dataDir };
  validateRecipe(r);
  return r;
}
