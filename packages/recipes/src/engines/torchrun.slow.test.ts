// The torchrun engine end to end: the built CLI starts PyTorch DDP with two CPU processes (gloo) on
// real Fashion-MNIST (Debian's dataset-fashion-mnist), and the run directory it leaves is checked
// against independent references: the final weights load strictly into @resnext/models and give
// the logits PyTorch computed in the trainer; a run whose rank 1 is killed resumes to the same
// bytes as an uninterrupted one; one process with two micro-batches per step trains the same
// parameters as two processes. The Python ports of the data pipeline and the schedule are checked
// against the TypeScript modules they copy. Needs python3-torch and python3-torchvision.
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, getModelConfig } from '@resnext/models';
import { loadWeights, readSafetensors, toStateDict, type TensorRecord } from '@resnext/pretrained';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RecipeConfig, ScheduleSpec } from '../config/recipe_config.js';
import { resolveRecipe } from '../config/resolve.js';
import { createLoader, type Batch } from '../data/loader.js';
import { rngFor } from '../data/rng.js';
import { writeImageFolder } from '../data/generate.js';
import { fashionMnistSource, imageFolderSource } from '../data/source.js';
import type { TransformSpec } from '../data/transforms.js';
import { FASHION_MNIST_RESNEXT } from '../catalog/fashion_mnist_resnext.js';
import { IMAGENET_STATS } from '../catalog/normalization.js';
import { metricsCsv } from '../report/metrics.js';
import { lrFactor } from '../schedule/lr_schedule.js';
import { assertBuilt, learned, plainEnv, readMetrics, runCli, type Child } from '../testing/cli.js';
import { PYTHON_PACKAGE_DIR, findTorchPython } from './torchrun.js';

const TORCHRUN = ['--engine=torchrun', '--nproc-per-node=2'];
const STEPS_PER_EPOCH = 8;

const { quick: _quick, ...FASHION } = FASHION_MNIST_RESNEXT;
/** The shipped Fashion-MNIST recipe, shrunk: 2 epochs of 8 steps of 32 images, EMA on. */
const RECIPE: RecipeConfig = {
  ...FASHION,
  name: 'fmnist-ddp',
  dataset: { kind: 'fashion-mnist', trainLimit: 32 * STEPS_PER_EPOCH, testLimit: 64 },
  batchSize: 32,
  epochs: 2,
  schedule: { kind: 'onecycle', warmupEpochs: 0.5 },
  ema: { decay: 0.9 },
  checkpointEverySteps: 2,
};

let dir: string;
let python: string;

/** Writes `recipe` as a recipe file and runs the CLI on it in `out` with the torchrun engine. */
async function start(recipe: RecipeConfig, out: string, extra: string[] = [], onLine?: (line: string, child: Child) => void, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const file = path.join(dir, `${path.basename(out)}.json`);
  await fs.writeFile(file, JSON.stringify(recipe));
  return runCli([`--recipe-file=${file}`, `--out=${out}`, ...TORCHRUN, ...extra], { env: plainEnv(env), ...(onLine !== undefined && { onLine }) });
}

/** Every tensor of a safetensors file. */
async function tensors(file: string): Promise<Map<string, TensorRecord>> {
  return readSafetensors(await fs.readFile(file), file).tensors;
}

/** max |a − b| / max |b| over one tensor. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

beforeAll(async () => {
  await assertBuilt();
  python = findTorchPython().python;
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'torchrun-'));
  await tf.setBackend('cpu');
});

afterAll(async () => {
  if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
});

describe('the Python ports', () => {
  it('draw the same streams, learning rates and batches (Fashion-MNIST, mixup, CutMix, image folders) as the TypeScript modules', async () => {
    const schedules: ScheduleSpec[] = [
      { kind: 'onecycle', warmupEpochs: 1.95 },
      { kind: 'cosine', minLrFactor: 0.01, warmupEpochs: 0.5 },
      { kind: 'multistep', milestones: [0.5, 0.75], relative: true, gamma: 0.1 },
      { kind: 'step', stepEpochs: 3, gamma: 0.5, warmupEpochs: 1, warmupStartFactor: 0.2 },
      { kind: 'constant' },
    ];
    const out = path.join(dir, 'ports.safetensors');
    const script = `
import json, sys, torch
from resnext_ddp.rng import rng_for
from resnext_ddp.optim import lr_factor
from resnext_ddp.data import FolderSource, Loader, fashion_mnist
from resnext_ddp.safetensors import write_safetensors
spec = json.loads(sys.argv[1])
r = rng_for(7, 3, 12345)
draws = [r.uniform() for _ in range(8)] + [r.beta(0.4), r.int(1000)]
lrs = [lr_factor(s, step, 50, 6) for s in spec["schedules"] for step in range(300)]
train = fashion_mnist("train", None)
out = {"draws": torch.tensor(draws, dtype=torch.float64).float(), "lrs": torch.tensor(lrs).float()}
for name, mixup, cutmix in (("plain", 0, 0), ("mixup", 0.4, 0), ("cutmix", 0, 1.0)):
    loader = Loader(train, 16, spec["transform"], True, 5, 0, 1, drop_last=True, mixup=mixup, cutmix=cutmix, limit=128)
    step, x, labels, targets = next(loader.epoch(1, 3))
    out[name + "/x"] = x.permute(0, 2, 3, 1).contiguous()
    out[name + "/labels"] = labels
    out[name + "/targets"] = targets
folder = FolderSource(spec["folder"])
for name, specs, shuffle in (("folder-train", spec["folderTrain"], True), ("folder-eval", spec["folderEval"], False)):
    step, x, labels, targets = next(Loader(folder, 8, specs, shuffle, 5, 0, 1, drop_last=True).epoch(1, 1))
    out[name + "/x"] = x.permute(0, 2, 3, 1).contiguous()
    out[name + "/labels"] = labels
write_safetensors(sys.argv[2], out)
`;
    const folder = path.join(dir, 'folder');
    await writeImageFolder(folder, { classes: 4, perClass: 6, size: 40, seed: 3 });
    const folderTrain: TransformSpec[] = [{ kind: 'randomResizedCrop', size: 32 }, { kind: 'flip' }, { kind: 'normalize', ...IMAGENET_STATS }];
    const folderEval: TransformSpec[] = [{ kind: 'resize', size: 36 }, { kind: 'centerCrop', size: 32 }, { kind: 'normalize', ...IMAGENET_STATS }];
    const spec = { schedules, transform: FASHION_MNIST_RESNEXT.trainTransform, folder, folderTrain, folderEval };
    const run = spawnSync(python, ['-c', script, JSON.stringify(spec), out], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: PYTHON_PACKAGE_DIR, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(run.stderr).toBe('');
    const got = await tensors(out);

    const r = rngFor(7, 3, 12345);
    const draws = [...Array.from({ length: 8 }, () => r.uniform()), r.beta(0.4), r.int(1000)];
    expect(Array.from(got.get('draws')!.values)).toEqual(Array.from(Float32Array.from(draws)));
    const lrs = schedules.flatMap((s) => Array.from({ length: 300 }, (_, step) => lrFactor(s, { step, stepsPerEpoch: 50, epochs: 6 })));
    expect(Array.from(got.get('lrs')!.values)).toEqual(Array.from(Float32Array.from(lrs)));

    const source = fashionMnistSource('train');
    for (const [name, mixup, cutmix] of [['plain', 0, 0], ['mixup', 0.4, 0], ['cutmix', 0, 1.0]] as const) {
      const loader = createLoader(source, { batchSize: 16, transform: FASHION_MNIST_RESNEXT.trainTransform, shuffle: true, seed: 5, dropLast: true, mixup, cutmix, limit: 128 });
      let batch: Batch | undefined;
      for await (const b of loader.epoch(1, 3)) {
        batch = b;
        break;
      }
      expect(Array.from(got.get(`${name}/labels`)!.values), name).toEqual(Array.from(batch!.labels));
      expect(got.get(`${name}/x`)!.shape, name).toEqual(batch!.shape);
      // Bit for bit without mixing; mixing blends in float64 on both sides, then rounds once.
      expect(relativeError(got.get(`${name}/x`)!.values, batch!.x), name).toBeLessThanOrEqual(name === 'mixup' ? 1e-7 : 0);
      expect(relativeError(got.get(`${name}/targets`)!.values, batch!.targets), name).toBeLessThanOrEqual(1e-7);
    }

    // Image folders (PNG: both decoders give the same pixels): the same boxes, flips and order;
    // resized by torchvision's antialiased bilinear there and our resampler here, equal to float rounding.
    const images = await imageFolderSource(folder);
    for (const [name, transform, shuffle] of [['folder-train', folderTrain, true], ['folder-eval', folderEval, false]] as const) {
      let batch: Batch | undefined;
      for await (const b of createLoader(images, { batchSize: 8, transform, shuffle, seed: 5, dropLast: true }).epoch(1, 1)) {
        batch = b;
        break;
      }
      expect(Array.from(got.get(`${name}/labels`)!.values), name).toEqual(Array.from(batch!.labels));
      expect(relativeError(got.get(`${name}/x`)!.values, batch!.x), name).toBeLessThanOrEqual(1e-5);
    }
  }, 120_000);
});

describe('the Python models', () => {
  // One of each builder path: torchvision's ResNet class, the wide basic block, the CIFAR stem,
  // group widths that are not powers of two, one input channel.
  const names = ['resnext50_32x4d', 'resnext18', 'resnext29_8x64d', 'resnext50_2x40d', 'resnext_fmnist'];

  it('have the state-dict keys and shapes @resnext/models maps for every block and stem kind', () => {
    const script = `
import json, sys
from resnext_ddp.model import build_model
out = {}
for arch, channels in json.loads(sys.argv[1]):
    model = build_model(arch, {"inputShape": [32, 32, channels], "numClasses": 10})
    out[arch["name"]] = [[k, list(v.shape)] for k, v in model.state_dict().items()]
print(json.dumps(out))
`;
    const specs = names.map((name) => [getModelConfig(name), name === 'resnext_fmnist' ? 1 : 3] as const);
    const run = spawnSync(python, ['-c', script, JSON.stringify(specs)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYTHON_PACKAGE_DIR, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 1 << 26 });
    expect(run.stderr).toBe('');
    const torch = JSON.parse(run.stdout) as Record<string, [string, number[]][]>;
    for (const [config, channels] of specs) {
      const model = createModel(config.name, { numClasses: 10, inputShape: [32, 32, channels] });
      const ours = [...toStateDict(model)].map(([key, t]): [string, number[]] => [key, t.shape]);
      model.dispose();
      expect(new Map(torch[config.name]), config.name).toEqual(new Map(ours));
    }
  }, 120_000);
});

describe('resnext-train --engine=torchrun, 2 CPU processes', () => {
  const full = () => path.join(dir, 'full');

  it('writes the run directory; model.safetensors loads strictly into @resnext/models and gives PyTorch’s logits', async () => {
    const reference = path.join(dir, 'reference.safetensors');
    const child = await start(RECIPE, full(), [], undefined, { RESNEXT_DDP_REFERENCE_LOGITS: reference });
    expect(await child.done, child.output()).toBe(0);

    const config = JSON.parse(await fs.readFile(path.join(full(), 'config.json'), 'utf8')) as unknown;
    expect(config).toEqual(JSON.parse(JSON.stringify(resolveRecipe(RECIPE))));
    const metrics = await readMetrics(full());
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    for (const m of metrics) {
      expect(Object.keys(m).sort()).toEqual(['emaTestAccuracy', 'emaTestLoss', 'epoch', 'imagesPerSecond', 'lr', 'seconds', 'testAccuracy', 'testLoss', 'trainAccuracy', 'trainLoss']);
      expect(m.trainLoss).toBeGreaterThan(0);
    }
    expect(child.stdout()).toContain(`final test accuracy ${(100 * metrics[1]!.testAccuracy).toFixed(2)}%`);
    const csv = await fs.readFile(path.join(full(), 'metrics.csv'), 'utf8');
    expect(csv).toBe(metricsCsv(metrics));
    expect(await fs.readFile(path.join(full(), 'plot.svg'), 'utf8')).toMatch(/^<svg/);
    await fs.access(path.join(full(), 'model_ema.safetensors'));

    const model = createModel('resnext_fmnist', { numClasses: 10, inputShape: [28, 28, 1] });
    const result = await loadWeights(model, path.join(full(), 'model.safetensors'), { strict: true });
    expect([...result.missingKeys, ...result.unexpectedKeys, ...result.mismatchedKeys]).toEqual([]);
    const ref = await tensors(reference);
    const input = ref.get('input')!;
    const logits = tf.tidy(() => model.predict(tf.tensor4d(input.values as Float32Array, input.shape as [number, number, number, number])) as tf.Tensor);
    expect(logits.shape).toEqual(ref.get('logits')!.shape);
    expect(relativeError(await logits.data(), ref.get('logits')!.values)).toBeLessThanOrEqual(1e-5);
    tf.dispose(logits);
    model.dispose();
  }, 300_000);

  it('resumes a run whose rank 1 was killed to the bytes of the uninterrupted run', async () => {
    const out = path.join(dir, 'killed');
    let rank1: number | undefined;
    let killed = false;
    const child = await start(RECIPE, out, [], (line) => {
      const pid = /rank 1\/2 pid (\d+)/.exec(line);
      if (pid !== null) rank1 = Number(pid[1]);
      if (line.includes('checkpoint at epoch 1, step 2/8') && rank1 !== undefined && !killed) {
        killed = true;
        process.kill(rank1, 'SIGKILL');
      }
    });
    expect(await child.done).not.toBe(0);
    expect(killed).toBe(true);
    expect(child.stderr()).toMatch(/TorchrunError: the training processes stopped with exit code \d+/);
    expect(child.stderr()).toContain(`--resume --out=${out} --engine=torchrun --nproc-per-node=2`);

    const tfjs = runCli(['--resume', `--out=${out}`], { env: plainEnv() });
    expect(await tfjs.done).toBe(2);
    expect(tfjs.stderr()).toContain('holds a run of the torchrun engine; to resume it, add --engine=torchrun --nproc-per-node <n>');

    const resumed = runCli(['--resume', `--out=${out}`, ...TORCHRUN], { env: plainEnv() });
    expect(await resumed.done, resumed.output()).toBe(0);
    expect(resumed.stdout()).toMatch(/resumed at epoch [12], step \d+\/8/);
    expect((await readMetrics(out)).map(learned)).toEqual((await readMetrics(full())).map(learned));
    for (const file of ['model.safetensors', 'model_ema.safetensors']) {
      const [a, b] = [await tensors(path.join(out, file)), await tensors(path.join(full(), file))];
      expect([...a.keys()]).toEqual([...b.keys()]);
      for (const [key, t] of a) expect(Array.from(t.values), `${file} ${key}`).toEqual(Array.from(b.get(key)!.values));
    }
  }, 300_000);

  it('trains the parameters of one process with two micro-batches per step (same global batch)', async () => {
    const out = path.join(dir, 'one');
    await fs.writeFile(path.join(dir, 'one.json'), JSON.stringify({ ...RECIPE, gradAccumulation: 2 }));
    const child = runCli([`--recipe-file=${path.join(dir, 'one.json')}`, `--out=${out}`, '--engine=torchrun', '--nproc-per-node=1'], { env: plainEnv() });
    expect(await child.done, child.output()).toBe(0);
    const [one, two] = [await tensors(path.join(out, 'model.safetensors')), await tensors(path.join(full(), 'model.safetensors'))];
    // Parameters only: BatchNorm's running statistics are per process (rank 0's are saved), as
    // in PyTorch DDP without SyncBatchNorm, while one process updates them on both micro-batches.
    const params = [...two.keys()].filter((k) => !/running_|num_batches/.test(k));
    expect(params.length).toBe(41); // conv1, bn1, three bottlenecks with a projection each, fc
    for (const key of params) expect(relativeError(one.get(key)!.values, two.get(key)!.values), key).toBeLessThanOrEqual(1e-5);
    const [m1, m2] = [await readMetrics(out), await readMetrics(full())];
    m1.forEach((m, i) => expect(Math.abs(m.trainLoss - m2[i]!.trainLoss)).toBeLessThanOrEqual(1e-6 * m2[i]!.trainLoss));
  }, 300_000);
});

describe('resnext-train --engine=torchrun errors', () => {
  it('names what to install when Python has no torch, without a stack trace', async () => {
    const fake = path.join(dir, 'python-without-torch');
    // Python without its site packages: Debian's torch is not importable.
    await fs.writeFile(fake, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
    for (const [env, said] of [
      [{ RESNEXT_PYTHON: fake }, `${fake}: missing torch and torchvision`],
      [{ RESNEXT_PYTHON: path.join(dir, 'no-such-python') }, `${path.join(dir, 'no-such-python')}: not found`],
    ] as const) {
      const child = await start(RECIPE, path.join(dir, 'never'), [], undefined, env);
      expect(await child.done).toBe(1);
      expect(child.stderr()).toContain(`TorchrunError: --engine=torchrun needs Python 3 with PyTorch and torchvision; ${said}.`);
      expect(child.stderr()).toContain('apt-get install python3-torch python3-torchvision');
      expect(child.stderr()).not.toMatch(/^\s+at /m);
    }
  });

  it('refuses a batch that does not split over the processes, and torchrun flags without the engine', async () => {
    const odd = await start({ ...RECIPE, batchSize: 33 }, path.join(dir, 'odd'));
    expect(await odd.done).toBe(1);
    expect(odd.stderr()).toMatch(/^RecipeConfigError: Recipe "fmnist-ddp": batchSize 33 .* does not split over 2 processes/m);
    const noEngine = runCli(['--recipe=fashion-mnist-resnext', '--nproc-per-node=2'], { env: plainEnv() });
    expect(await noEngine.done).toBe(2);
    expect(noEngine.stderr()).toContain('--nproc-per-node is a torchrun option: add --engine=torchrun.');
    const noCount = runCli(['--recipe=fashion-mnist-resnext', '--engine=torchrun'], { env: plainEnv() });
    expect(await noCount.done).toBe(2);
    expect(noCount.stderr()).toContain('--engine=torchrun needs --nproc-per-node <n>');
    const nodes = runCli(['--recipe=fashion-mnist-resnext', '--engine=torchrun', '--nproc-per-node=8', '--nnodes=2'], { env: plainEnv() });
    expect(await nodes.done).toBe(2);
    expect(nodes.stderr()).toContain('--nnodes=2 needs --node-rank <r> and --rdzv-endpoint <host:port>');
  });
});
