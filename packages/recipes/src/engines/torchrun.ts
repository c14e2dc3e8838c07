/**
 * The torchrun engine: runs a resolved recipe on PyTorch DistributedDataParallel through
 * torch.distributed.run (torchrun), with the Python trainer shipped in this package
 * (`python/resnext_ddp`). The trainer's rank 0 writes the run directory (config.json is written
 * here first, exactly as the tfjs trainer writes it); metrics.csv and plot.svg are rendered here
 * from its metrics.jsonl (never rewritten here) whenever that changes, and when the processes end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getModelConfig, type ResNeXtConfig } from '@resnext/models';
import { writeFileAtomic } from '@resnext/layers/node-io';
import { removeOrphanedRunTempFiles } from '../checkpoint/temp_files.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import { RecipeConfigError } from '../config/recipe_config_error.js';
import type { EpochMetrics, PartialEpochMetrics } from '../report/metrics.js';
import { writeRenderedReport } from '../report/write_report.js';
import { runPaths } from '../train/trainer.js';

/** The folder holding the `resnext_ddp` Python package (shipped in the npm package's `python/`). */
export const PYTHON_PACKAGE_DIR = fileURLToPath(new URL('../../python', import.meta.url));

/** What to install when Python, PyTorch or torchvision is missing. */
const TORCH_INSTALL_HINT =
  'On Debian or Ubuntu: apt-get install python3-torch python3-torchvision (elsewhere: pip install torch torchvision); ' +
  'or set RESNEXT_PYTHON to a Python 3 that has both.';

/** The torchrun engine cannot start or its processes failed; the message says what to do. */
export class TorchrunError extends Error {
  override name = 'TorchrunError';
}

/** How many processes run where: torchrun's `--nproc_per_node`, `--nnodes`, `--node_rank`, `--rdzv_endpoint`. */
export interface TorchrunLayout {
  /** Processes on this machine (one per GPU; on CPU, one per group of cores). */
  nprocPerNode: number;
  /** Machines taking part. Default 1. */
  nnodes?: number;
  /** This machine's index, 0 … nnodes − 1 (0 writes the run directory). Default 0. */
  nodeRank?: number;
  /** host:port of node 0, where the processes meet (needed with nnodes > 1). */
  rdzvEndpoint?: string;
}

/** A Python interpreter that imports torch (with torch.distributed) and torchvision. */
export interface TorchPython {
  python: string;
  torch: string;
  torchvision: string;
}

// Finds the packages without importing them (importing torch takes seconds); a torch without
// torch.distributed (some mobile builds) is reported by the trainer itself.
const PROBE = [
  'import sys, importlib.util as u, importlib.metadata as m',
  'missing = [n for n in ("torch", "torchvision") if u.find_spec(n) is None]',
  'if missing: print("missing " + " and ".join(missing)); sys.exit(3)',
  'def version(n):\n try:\n  return m.version(n)\n except Exception:\n  return "(version unknown)"',
  'print("ok", version("torch"), version("torchvision"))',
].join('\n');

/**
 * Finds the Python to run: `RESNEXT_PYTHON` when set, else `python3` on the PATH, then Debian's
 * `/usr/bin/python3` (where apt's python3-torch installs; a pyenv or venv `python3` earlier on the
 * PATH often lacks it). Throws {@link TorchrunError} naming each interpreter tried, what it
 * lacks, and what to install.
 */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): TorchPython {
  const explicit = env['RESNEXT_PYTHON'];
  const candidates = explicit !== undefined && explicit !== '' ? [explicit] : ['python3', '/usr/bin/python3'];
  const problems: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', env });
    if (probe.error !== undefined) {
      problems.push(`${python}: ${(probe.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : probe.error.message}`);
      continue;
    }
    const out = probe.stdout.trim().split('\n').at(-1) ?? '';
    const [word, torch, torchvision] = out.split(' ');
    if (probe.status === 0 && word === 'ok') return { python, torch: torch!, torchvision: torchvision! };
    problems.push(`${python}: ${out !== '' ? out : `exited with ${probe.status ?? probe.signal}`}`);
  }
  throw new TorchrunError(`--engine=torchrun needs Python 3 with PyTorch and torchvision; ${problems.join('; ')}. ${TORCH_INSTALL_HINT}`);
}

/** The recipe's architecture: its inline `model.config`, else the @resnext/models registry entry. */
function recipeArchitecture(recipe: RecipeConfig): ResNeXtConfig {
  return recipe.model.config ?? getModelConfig(recipe.model.name);
}

/**
 * Refuses what the torchrun engine cannot run, before any process starts: fine-tuning, and a
 * micro-batch (batchSize / gradAccumulation) that does not split evenly over the processes.
 */
function checkTorchrunRecipe(recipe: RecipeConfig, layout: TorchrunLayout): void {
  const world = layout.nprocPerNode * (layout.nnodes ?? 1);
  if (recipe.finetune !== null) {
    throw new RecipeConfigError(`Recipe "${recipe.name}" fine-tunes pretrained weights, which the torchrun engine does not do; run it with --engine=tfjs.`, 'finetune');
  }
  const micro = recipe.batchSize / recipe.gradAccumulation;
  if (micro % world !== 0) {
    throw new RecipeConfigError(
      `Recipe "${recipe.name}": batchSize ${recipe.batchSize} (${micro} per micro-batch with gradAccumulation ${recipe.gradAccumulation}) does not split over ` +
        `${world} processes; the global batch stays the recipe's, so each process takes batchSize / (gradAccumulation × processes) images. ` +
        `Choose a batch size divisible by ${world * recipe.gradAccumulation} or another process count.`,
      'batchSize',
    );
  }
}

/** torch.distributed.run's arguments for `layout`, then the trainer module and its arguments. */
function torchrunArgs(layout: TorchrunLayout, trainer: { out: string; arch: ResNeXtConfig; resume: boolean }): string[] {
  const nnodes = layout.nnodes ?? 1;
  // One machine: a rendezvous store on a free port of its own (torchrun's --standalone takes port
  // 29400 in torch 1.x, so runs started side by side would share the first one's store).
  const where =
    nnodes === 1 && layout.rdzvEndpoint === undefined
      ? ['--nnodes=1', '--rdzv_backend=c10d', '--rdzv_endpoint=localhost:0', `--rdzv_id=${randomUUID()}`]
      : [`--nnodes=${nnodes}`, `--node_rank=${layout.nodeRank ?? 0}`, `--rdzv_endpoint=${layout.rdzvEndpoint}`];
  return [
    ...where,
    `--nproc_per_node=${layout.nprocPerNode}`,
    '-m',
    'resnext_ddp.train',
    '--out',
    trainer.out,
    '--arch',
    JSON.stringify(trainer.arch),
    ...(trainer.resume ? ['--resume'] : []),
  ];
}

/** Options of {@link trainWithTorchrun}. */
export interface TorchrunRunOptions {
  out: string;
  resume: boolean;
  layout: TorchrunLayout;
  /** Once aborted, the processes get the abort reason's signal (SIGINT or SIGTERM; default SIGTERM). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Where notes go (the processes write to this process's stdout and stderr directly). */
  note?: (text: string) => void;
}

/** How the processes ended. */
export interface TorchrunResult {
  /** The launcher's exit code: 0 finished, 130/143 stopped by SIGINT/SIGTERM, another code when a process failed. */
  exitCode: number;
  /** The finished epochs' metrics (metrics.jsonl; empty on a machine other than node 0). */
  history: EpochMetrics[];
}

/**
 * Runs `recipe` on torchrun and waits for its processes. Writes config.json, starts
 * `python3 -m resnext_ddp.launch` (torchrun) in a process group of its own, forwards an abort as
 * one signal (every rank then stops at the same optimizer step after a checkpoint), and renders
 * metrics.csv and plot.svg from metrics.jsonl as rank 0 rewrites it and at the end.
 */
export async function trainWithTorchrun(recipe: RecipeConfig, options: TorchrunRunOptions): Promise<TorchrunResult> {
  const env = options.env ?? process.env;
  const note = options.note ?? ((text: string) => process.stdout.write(`${text}\n`));
  checkTorchrunRecipe(recipe, options.layout);
  const arch = recipeArchitecture(recipe);
  const { python, torch, torchvision } = findTorchPython(env);
  note(`torchrun engine: ${python} with torch ${torch}, torchvision ${torchvision}`);
  const checkpoints = path.dirname(runPaths(options.out).checkpoint);
  await removeOrphanedRunTempFiles(options.out, checkpoints, note);
  await fs.mkdir(checkpoints, { recursive: true });
  await writeFileAtomic(runPaths(options.out).config, JSON.stringify(recipe, null, 2) + '\n');
  const pythonPath = [PYTHON_PACKAGE_DIR, env['PYTHONPATH']].filter((p) => p !== undefined && p !== '').join(path.delimiter);
  const args = ['-m', 'resnext_ddp.launch', ...torchrunArgs(options.layout, { out: options.out, arch, resume: options.resume })];
  // A group of its own: a terminal's Ctrl-C reaches this process only, which forwards it once,
  // so torchrun shuts its workers down once instead of being interrupted while doing so.
  // No bytecode next to the installed package (it may be read-only, and npm would not remove it).
  const child = spawn(python, args, { stdio: 'inherit', env: { ...env, PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' }, detached: true });
  const forward = () => child.kill((options.signal?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
  options.signal?.addEventListener('abort', forward, { once: true });
  // This process quitting at once (a second Ctrl-C) takes the processes with it.
  const killGroup = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  };
  process.once('exit', killGroup);
  // Rank 0 rewrites metrics.jsonl at every checkpoint; metrics.csv and plot.svg follow it (polled:
  // file-change events do not cross network file systems).
  const writesReport = (options.layout.nodeRank ?? 0) === 0;
  const metrics = path.join(options.out, 'metrics.jsonl');
  let rendering = Promise.resolve();
  const render = () => {
    rendering = rendering.then(async () => void (await renderReport(options.out, recipe.name))).catch(() => undefined);
  };
  const onChange = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs) render();
  };
  if (writesReport) watchFile(metrics, { interval: 1000 }, onChange);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new TorchrunError(`could not start ${python}: ${e.message}`)));
    child.on('close', (status, signal) => resolve(status ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15)));
  });
  options.signal?.removeEventListener('abort', forward);
  process.off('exit', killGroup);
  unwatchFile(metrics, onChange);
  await rendering;
  const history = writesReport ? await renderReport(options.out, recipe.name) : [];
  return { exitCode: code, history };
}

/** metrics.csv and plot.svg from the trainer's metrics.jsonl (when it wrote one); the finished epochs. */
async function renderReport(out: string, title: string): Promise<EpochMetrics[]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(out, 'metrics.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const rows = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EpochMetrics | PartialEpochMetrics);
  const history = rows.filter((r): r is EpochMetrics => !('partial' in r));
  const last = rows.at(-1);
  // metrics.jsonl is rank 0's: rewriting it from this reading could undo a newer write.
  await writeRenderedReport(out, title, history, last !== undefined && 'partial' in last ? last : undefined);
  return history;
}
