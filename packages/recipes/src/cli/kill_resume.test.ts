// The CLI across processes: a run killed with SIGKILL in the middle of its second epoch and
// resumed with --resume ends with the metrics of an uninterrupted run of the same seed. Runs the
// built CLI (dist/cli/train.js), so the `test` target depends on `build`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readSafetensors } from '@resnext/pretrained';

import type { TrainState } from '../checkpoint/checkpoint.js';
import type { RecipeConfig } from '../config/recipe_config.js';
import { writeCifarBinary } from '../data/generate.js';
import type { EpochMetrics } from '../report/metrics.js';

const CLI = fileURLToPath(new URL('../../dist/cli/train.js', import.meta.url));
const STEPS_PER_EPOCH = 40;

/** A ResNeXt of one bottleneck stage: a training step takes milliseconds. */
const recipe: RecipeConfig = {
  name: 'kill-resume',
  description: 'tiny ResNeXt on generated CIFAR-10 binaries',
  model: {
    name: 'tiny',
    config: { name: 'tiny', block: 'bottleneck', blocksPerStage: [1], cardinality: 2, baseWidth: 32, stagePlanes: [4], expansion: 2, stem: 'cifar', stemWidth: 8, defaultInputSize: 32, origin: 'test' },
    inputShape: [32, 32, 3],
    numClasses: 10,
  },
  dataset: { kind: 'cifar10', trainLimit: 4 * STEPS_PER_EPOCH },
  trainTransform: [{ kind: 'randomCrop', size: 32, padding: 4 }, { kind: 'flip' }, { kind: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }],
  evalTransform: [{ kind: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }],
  batchSize: 4,
  epochs: 2,
  optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: true },
  schedule: { kind: 'cosine', warmupEpochs: 1 },
  labelSmoothing: 0.1,
  mixup: 0.2,
  cutmix: 0,
  ema: { decay: 0.9 },
  gradAccumulation: 1,
  seed: 11,
  backend: { name: 'wasm', threads: 1 },
  checkpointEverySteps: 1,
  finetune: null,
};

interface Child {
  /** Resolves with the exit code, or the signal name. */
  done: Promise<number | NodeJS.Signals>;
  output: () => string;
  kill: () => void;
}

/** Starts the CLI; `onLine` sees every stdout line as it arrives. */
function runCli(args: string[], onLine: (line: string, child: Child) => void = () => undefined): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let pending = '';
  const child: Child = {
    done: new Promise((resolve, reject) => {
      proc.on('error', reject);
      proc.on('close', (code, signal) => resolve(signal ?? code ?? -1));
    }),
    output: () => text,
    kill: () => proc.kill('SIGKILL'),
  };
  proc.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  proc.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) onLine(line, child);
  });
  return child;
}

async function metrics(runDir: string): Promise<EpochMetrics[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line) as EpochMetrics);
}

/** The metrics that do not depend on wall-clock time. */
const learned = (m: EpochMetrics) => {
  const { imagesPerSecond: _speed, seconds: _seconds, ...rest } = m;
  return rest;
};

let dir = '';

beforeAll(async () => {
  await fs.access(CLI).catch(() => {
    throw new Error(`${CLI} is missing: build the package first (npx nx run recipes:build; the nx test target depends on build).`);
  });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recipes-kill-'));
  await writeCifarBinary(path.join(dir, 'cifar'), { variant: 10, perClass: 16, seed: 5 });
  await fs.writeFile(path.join(dir, 'recipe.json'), JSON.stringify({ ...recipe, dataset: { ...recipe.dataset, dir: path.join(dir, 'cifar') } }));
});

afterAll(async () => {
  if (dir !== '') await fs.rm(dir, { recursive: true, force: true });
});

describe('resnext-train --resume after SIGKILL', () => {
  it('continues a run killed mid-epoch to the metrics of an uninterrupted run', async () => {
    const args = (out: string) => ['--recipe-file', path.join(dir, 'recipe.json'), '--out', path.join(dir, out)];
    // The reference run and the run to be killed run side by side (two cores).
    const reference = runCli(args('reference'));
    // Non-TTY progress prints every 4th step; kill at epoch 2's first line (step 4 of 40).
    const killed = runCli(args('killed'), (line, child) => {
      const m = /^epoch 2\/2 step (\d+)\//.exec(line);
      if (m !== null) child.kill();
    });
    expect(await killed.done, killed.output()).toBe('SIGKILL');

    // The kill came in the middle of epoch 2: one epoch of metrics and the epoch in progress, a
    // mid-epoch checkpoint, no final model. The report is written just after each checkpoint, so a
    // kill between the two leaves it one checkpoint (here one step) behind.
    const runDir = path.join(dir, 'killed');
    const ckFile = path.join(runDir, 'checkpoints', 'last.safetensors');
    const ck = { state: JSON.parse(readSafetensors(await fs.readFile(ckFile), ckFile).metadata['state']!) as TrainState };
    expect(ck.state.epoch).toBe(1);
    expect(ck.state.loaderStep).toBeGreaterThan(0);
    expect(ck.state.loaderStep).toBeLessThan(STEPS_PER_EPOCH);
    const sofar = await metrics(runDir);
    expect(sofar).toHaveLength(2);
    expect(sofar[1]).toMatchObject({ partial: true });
    expect([ck.state.loaderStep, ck.state.loaderStep - 1]).toContain(Math.round((sofar[1]!.epoch - 1) * STEPS_PER_EPOCH));
    await expect(fs.access(path.join(runDir, 'model.safetensors'))).rejects.toThrow();

    // --resume with only --out: the recipe comes from the run directory.
    const resumed = runCli(['--resume', '--out', runDir]);
    expect(await resumed.done, resumed.output()).toBe(0);
    expect(resumed.output()).toContain(`resumed at epoch 2, step ${ck.state.loaderStep}/${STEPS_PER_EPOCH}`);
    expect(await reference.done, reference.output()).toBe(0);

    const [got, want] = [await metrics(runDir), await metrics(path.join(dir, 'reference'))];
    expect(want).toHaveLength(2);
    for (const m of want) expect(Number.isFinite(m.trainLoss) && Number.isFinite(m.testLoss)).toBe(true);
    // Same process layout, backend and thread count: the resumed run is bit-identical.
    expect(got.map(learned)).toEqual(want.map(learned));
    const files = (await fs.readdir(runDir)).sort();
    expect(files).toEqual(['checkpoints', 'config.json', 'metrics.csv', 'metrics.jsonl', 'model.safetensors', 'model_ema.safetensors', 'plot.svg']);
    const [a, b] = [await fs.readFile(path.join(runDir, 'model.safetensors')), await fs.readFile(path.join(dir, 'reference', 'model.safetensors'))];
    expect(Buffer.compare(a, b)).toBe(0);
  }, 60_000);
});
