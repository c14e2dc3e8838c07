// Hostile inputs for training runs: temporary files of a writer killed mid-write, recipe files
// and checkpoints whose values would size a run beyond reason, damaged checkpoints. Each must be
// a typed error naming the problem before any work or allocation in proportion to the values.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { getRecipe, imageFolderSource, loadRecipeFile, train } from '@resnext/recipes';
import { blackPng, pngWithSize } from '../lib/images.mjs';

const silent = { write: () => true };

/** A shipped recipe as a JSON file in `dir`, with `edit` applied. */
async function recipeFile(dir, edit) {
  const recipe = structuredClone(getRecipe('cifar10-resnext29'));
  edit(recipe);
  const file = path.join(dir, 'recipe.json');
  await fs.writeFile(file, JSON.stringify(recipe));
  return file;
}

/** A safetensors file with no tensors and this metadata: the header a checkpoint's recipe is read from. */
function checkpointWithMetadata(metadata) {
  const header = Buffer.from(JSON.stringify({ __metadata__: metadata }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header]);
}

/** Runs `train` on `out` as the CLI would (`--resume` or not), with the shipped CIFAR-10 recipe. */
const trainIn = (out, resume) => train(getRecipe('cifar10-resnext29'), { out, resume, progress: silent, selectBackend: false });

export const cases = [
  {
    id: 'checkpoint-temp-of-killed-writer',
    about: "a dead writer's 20 MB .last.safetensors.<pid>.tmp is removed by the next run, even one refused at once",
    async run({ dir }) {
      const checkpoints = path.join(dir, 'run', 'checkpoints');
      await fs.mkdir(checkpoints, { recursive: true });
      await fs.writeFile(path.join(checkpoints, 'last.safetensors'), 'a previous checkpoint');
      // A writer that dies after writing its temporary file, before the rename (as SIGKILL leaves
      // it): a shell names the file with its own pid ($$), and exits.
      const writer = spawnSync('sh', ['-c', 'head -c 20000000 /dev/zero > .last.safetensors.$$.tmp'], { cwd: checkpoints });
      const orphan = path.join(checkpoints, `.last.safetensors.${writer.pid}.tmp`);
      if ((await fs.stat(orphan)).size !== 20e6) throw new Error('the writer left no temporary file');
      // Not --resume on a directory that holds a run: refused, after the clean-up.
      const refusal = await trainIn(path.join(dir, 'run'), false).then(() => undefined, (error) => error);
      if (await fs.access(orphan).then(() => true, () => false)) throw new Error(`${orphan} is still there`);
      throw refusal ?? new Error('train accepted a directory that holds a run');
    },
    expect: { name: 'CheckpointError', message: /already holds a run/ },
  },
  {
    id: 'recipe-file-epochs-1e12',
    about: 'a recipe file asking for 1e12 epochs',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => (r.epochs = 1e12))),
    expect: { name: 'RecipeFileError', message: /recipe\.json: .*epochs must be at most 100,000, got 1000000000000/ },
  },
  {
    id: 'recipe-file-batch-size-0',
    about: 'a recipe file with batch size 0',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => (r.batchSize = 0))),
    expect: { name: 'RecipeFileError', message: /batchSize must be a positive integer, got 0/ },
  },
  {
    id: 'recipe-file-batch-size-1e9',
    about: 'a recipe file with batch size 1e9',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => (r.batchSize = 1e9))),
    expect: { name: 'RecipeFileError', message: /batchSize must be at most 65,536/ },
  },
  {
    id: 'recipe-file-input-100000x100000',
    about: 'a recipe file whose model input is 100000×100000×3',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => (r.model.inputShape = [100_000, 100_000, 3]))),
    expect: { name: 'RecipeFileError', message: /model.inputShape must be \[height, width, channels\] with height and width integers from 1 to 4,096/ },
  },
  {
    id: 'recipe-file-classes-1e9',
    about: 'a recipe file with a head of 1e9 classes (a 2048×1e9 weight)',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => (r.model.numClasses = 1e9))),
    expect: { name: 'RecipeFileError', message: /model.numClasses must be at most 100,000/ },
  },
  {
    id: 'recipe-file-resize-1e6',
    about: 'a recipe file whose eval transform resizes to 1,000,000 pixels a side',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => r.evalTransform.unshift({ kind: 'resize', size: 1e6 }))),
    expect: { name: 'RecipeFileError', message: /evalTransform\[0\].size must be sizes of at most 4,096/ },
  },
  {
    id: 'recipe-file-micro-batch-12-gib',
    about: 'a recipe file within every single limit whose micro-batch would be 3.2e9 floats',
    run: async ({ dir }) => loadRecipeFile(await recipeFile(dir, (r) => ((r.model.inputShape = [4096, 4096, 3]), (r.batchSize = 64), (r.gradAccumulation = 1)))),
    expect: { name: 'RecipeFileError', message: /micro-batch of at most 268,435,456 values/ },
  },
  {
    id: 'recipe-file-cut-short',
    about: 'a recipe file cut in the middle of its JSON',
    async run({ dir }) {
      const file = await recipeFile(dir, () => {});
      const text = await fs.readFile(file, 'utf8');
      await fs.writeFile(file, text.slice(0, Math.floor(text.length / 2)));
      await loadRecipeFile(file);
    },
    expect: { name: 'RecipeFileError', message: /recipe\.json:1:\d+: not valid JSON/ },
  },
  {
    id: 'train-classes-1e9',
    about: 'train() called with a recipe object whose head has 1e9 classes',
    run: ({ dir }) => train({ ...getRecipe('cifar10-resnext29'), model: { ...getRecipe('cifar10-resnext29').model, numClasses: 1e9 } }, { out: path.join(dir, 'run'), progress: silent, selectBackend: false }),
    expect: { name: 'RecipeConfigError', message: /model.numClasses must be at most 100,000/ },
  },
  {
    id: 'resume-checkpoint-hostile-recipe',
    about: 'resuming a checkpoint whose stored recipe asks for 1e12 epochs',
    async run({ dir }) {
      const recipe = { ...getRecipe('cifar10-resnext29'), epochs: 1e12 };
      const state = { epoch: 0, loaderStep: 0, optimizerStep: 0, running: { lossSum: 0, correct: 0, count: 0 }, history: [], elapsedSeconds: 0 };
      await fs.mkdir(path.join(dir, 'run', 'checkpoints'), { recursive: true });
      await fs.writeFile(path.join(dir, 'run', 'checkpoints', 'last.safetensors'), checkpointWithMetadata({ format: 'resnext-recipes-checkpoint/1', config: JSON.stringify(recipe), state: JSON.stringify(state) }));
      await trainIn(path.join(dir, 'run'), true);
    },
    expect: { name: 'RecipeConfigError', message: /epochs must be at most 100,000/ },
  },
  {
    id: 'resume-checkpoint-negative-batch-counter',
    about: "resuming a checkpoint whose BatchNorm counters metadata says bn1 tracked -5 batches",
    async run({ dir }) {
      const state = { epoch: 0, loaderStep: 0, optimizerStep: 0, running: { lossSum: 0, correct: 0, count: 0 }, history: [], elapsedSeconds: 0 };
      const metadata = { format: 'resnext-recipes-checkpoint/1', config: JSON.stringify(getRecipe('cifar10-resnext29')), state: JSON.stringify(state), batchCounters: '{"bn1":-5}' };
      await fs.mkdir(path.join(dir, 'run', 'checkpoints'), { recursive: true });
      await fs.writeFile(path.join(dir, 'run', 'checkpoints', 'last.safetensors'), checkpointWithMetadata(metadata));
      await trainIn(path.join(dir, 'run'), true);
    },
    expect: { name: 'CheckpointError', message: /batchCounters metadata must map layer names to non-negative integers/ },
  },
  {
    id: 'resume-checkpoint-header-not-json',
    about: 'resuming a checkpoint whose safetensors header is not JSON',
    async run({ dir }) {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(16n);
      await fs.mkdir(path.join(dir, 'run', 'checkpoints'), { recursive: true });
      await fs.writeFile(path.join(dir, 'run', 'checkpoints', 'last.safetensors'), Buffer.concat([length, Buffer.from('{"__metadata__":')]));
      await trainIn(path.join(dir, 'run'), true);
    },
    expect: { name: 'CheckpointError', message: /last\.safetensors is damaged: its header is not valid JSON/ },
  },
  {
    id: 'resume-checkpoint-header-length-huge',
    about: 'resuming a 24-byte checkpoint whose header length field says 2^62',
    async run({ dir }) {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(2n ** 62n);
      await fs.mkdir(path.join(dir, 'run', 'checkpoints'), { recursive: true });
      await fs.writeFile(path.join(dir, 'run', 'checkpoints', 'last.safetensors'), Buffer.concat([length, Buffer.from('{"a":1}')]));
      await trainIn(path.join(dir, 'run'), true);
    },
    expect: { name: 'CheckpointError', message: /is not a safetensors file \(header length 4611686018427387904, file 15 bytes\)\./ },
  },
  {
    id: 'image-folder-ihdr-30000x30000',
    about: 'an ImageFolder dataset holding a PNG whose IHDR says 30000×30000 (900 megapixels)',
    async run({ dir }) {
      await fs.mkdir(path.join(dir, 'data', 'cat'), { recursive: true });
      await fs.writeFile(path.join(dir, 'data', 'cat', 'huge.png'), pngWithSize(30_000, 30_000));
      await (await imageFolderSource(path.join(dir, 'data'))).read(0);
    },
    expect: { name: 'DatasetError', message: /huge\.png: a 30000x30000 image is beyond the limits/ },
  },
  {
    id: 'image-folder-valid-16000x16000',
    about: 'an ImageFolder dataset holding a valid 16000×16000 black PNG (768 MB decoded)',
    async run({ dir }) {
      await fs.mkdir(path.join(dir, 'data', 'cat'), { recursive: true });
      await fs.writeFile(path.join(dir, 'data', 'cat', 'big.png'), blackPng(16_000, 16_000, 16));
      await (await imageFolderSource(path.join(dir, 'data'))).read(0);
    },
    expect: { name: 'DatasetError', message: /big\.png: a 16000x16000 image is beyond the limits/ },
  },
];
