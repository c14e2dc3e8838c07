// Runs the built trainer (dist/cli/train.js) as a child process, as a user's shell would.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { RecipeConfig } from '../config/recipe_config.js';
import { writeCifarBinary } from '../data/generate.js';
import type { EpochMetrics } from '../report/metrics.js';

/** The built CLI; the package's `test` target depends on `build`. */
export const CLI = fileURLToPath(new URL('../../dist/cli/train.js', import.meta.url));

/** Fails with a clear message when the CLI is not built. */
export async function assertBuilt(): Promise<void> {
  await fs.access(CLI).catch(() => {
    throw new Error(`${CLI} is missing: build the package first (npx nx run recipes:build; the nx test target depends on build).`);
  });
}

/** The environment of a shell outside Nx and npm: no NX_* task variables, no INIT_CWD. */
export function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('NX_') || key === 'INIT_CWD' || key.startsWith('npm_')) delete env[key];
  return { ...env, ...extra };
}

/** A running CLI. */
export interface Child {
  /** Resolves with the exit code, or the signal name. */
  done: Promise<number | NodeJS.Signals>;
  /** stdout and stderr so far, interleaved as they arrived. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  kill: (signal?: NodeJS.Signals) => void;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Sees every stdout line as it arrives. */
  onLine?: (line: string, child: Child) => void;
}

/** Starts `node dist/cli/train.js ...args`. */
export function runCli(args: readonly string[], options: RunOptions = {}): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: options.env ?? plainEnv() });
  let [all, out, err, pending] = ['', '', '', ''];
  const child: Child = {
    done: new Promise((resolve, reject) => {
      proc.on('error', reject);
      proc.on('close', (code, signal) => resolve(signal ?? code ?? -1));
    }),
    output: () => all,
    stdout: () => out,
    stderr: () => err,
    kill: (signal = 'SIGKILL') => proc.kill(signal),
  };
  proc.stderr.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    err += chunk.toString();
  });
  proc.stdout.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    out += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) options.onLine?.(line, child);
  });
  return child;
}

/** metrics.jsonl of a run directory, one object per line. */
export async function readMetrics(runDir: string): Promise<(EpochMetrics & { partial?: true })[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line) as EpochMetrics & { partial?: true });
}

/** The metrics that do not depend on wall-clock time. */
export function learned(m: EpochMetrics): Omit<EpochMetrics, 'imagesPerSecond' | 'seconds'> {
  const { imagesPerSecond: _speed, seconds: _seconds, ...rest } = m;
  return rest;
}

/**
 * A ResNeXt of one bottleneck stage on generated CIFAR-10 binaries: a training step takes
 * milliseconds. `stepsPerEpoch` batches of 4 images per epoch.
 */
export function tinyRecipe(dataDir: string, stepsPerEpoch: number, patch: Partial<RecipeConfig> = {}): RecipeConfig {
  return {
    name: 'tiny',
    description: 'tiny ResNeXt on generated CIFAR-10 binaries',
    model: {
      name: 'tiny',
      config: { name: 'tiny', block: 'bottleneck', blocksPerStage: [1], cardinality: 2, baseWidth: 32, stagePlanes: [4], expansion: 2, stem: 'cifar', stemWidth: 8, defaultInputSize: 32, origin: 'test' },
      inputShape: [32, 32, 3],
      numClasses: 10,
    },
    dataset: { kind: 'cifar10', dir: dataDir, trainLimit: 4 * stepsPerEpoch, testLimit: 16 },
    trainTransform: [{ kind: 'randomCrop', size: 32, padding: 4 }, { kind: 'flip' }, { kind: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }],
    evalTransform: [{ kind: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }],
    batchSize: 4,
    epochs: 2,
    optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4, noDecayOnBnAndBias: true },
    schedule: { kind: 'cosine', warmupEpochs: 1 },
    labelSmoothing: 0.1,
    mixup: 0,
    cutmix: 0,
    ema: null,
    gradAccumulation: 1,
    seed: 11,
    backend: { name: 'wasm', threads: 1 },
    checkpointEverySteps: 5,
    finetune: null,
    ...patch,
  };
}

/** Generated CIFAR-10 binaries (16 images a class) in `dir`. */
export async function writeTinyCifar(dir: string): Promise<string> {
  await writeCifarBinary(dir, { variant: 10, perClass: 16, seed: 5 });
  return dir;
}

/** An IDX file: big-endian magic (0x08 = unsigned bytes, then the rank), the dimensions, the bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

/**
 * Fashion-MNIST-format files (train and t10k, `count` 28×28 images of striped patterns, labels
 * 0–9) in `dir`. The source holds them in memory: a training step then needs no I/O at all.
 */
export async function writeTinyFashionMnist(dir: string, count: number): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const images = Uint8Array.from({ length: count * 784 }, (_, k) => {
    const [i, p] = [Math.floor(k / 784), k % 784];
    return ((Math.floor(p / 28) * (labels[i]! + 1) + (p % 28) + i) % 7) * 36;
  });
  for (const split of ['train', 't10k']) {
    await fs.writeFile(path.join(dir, `${split}-images-idx3-ubyte`), idx([count, 28, 28], images));
    await fs.writeFile(path.join(dir, `${split}-labels-idx1-ubyte`), idx([count], labels));
  }
  return dir;
}

/** {@link tinyRecipe} on Fashion-MNIST-format files (28×28 grey). */
export function tinyFashionMnistRecipe(dataDir: string, stepsPerEpoch: number, patch: Partial<RecipeConfig> = {}): RecipeConfig {
  const base = tinyRecipe(dataDir, stepsPerEpoch);
  return tinyRecipe(dataDir, stepsPerEpoch, {
    model: { ...base.model, config: { ...base.model.config!, defaultInputSize: 28 }, inputShape: [28, 28, 1] },
    dataset: { kind: 'fashion-mnist', dir: dataDir, trainLimit: 4 * stepsPerEpoch, testLimit: 16 },
    trainTransform: [{ kind: 'randomCrop', size: 28, padding: 2 }, { kind: 'flip' }],
    evalTransform: [],
    ...patch,
  });
}
