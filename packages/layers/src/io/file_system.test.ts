// Saving and loading a model with GroupConv2D layers and residual blocks: through file:// (our
// Node handler) and through tf.io.withSaveHandler / fromMemory; outputs must be identical.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../kernels/register_all.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicBlock } from '../blocks/basic_block.js';
import { bottleneckBlock } from '../blocks/bottleneck_block.js';
import { foldBatchNorm } from '../fold/fold_batch_norm.js';
import { groupConv2dLayer } from '../layers/group_conv2d_layer.js';
import { randomArray } from '../testing/naive_group_conv.js';
import { fileSystem, registerFileSystemRouter } from './file_system.js';

/** GroupConv2D stem + bottleneck (stride 2, 4 groups) + basic block + head; every weight random. */
function smallModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 8] });
  let x = groupConv2dLayer({ name: 'stem', filters: 16, kernelSize: 3, groups: 4, padding: [[1, 1], [1, 1]], activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
  x = bottleneckBlock(x, { prefix: 'layer1.0', planes: 8, stride: 2, cardinality: 4, baseWidth: 16 });
  x = basicBlock(x, { prefix: 'layer2.0', planes: 32 });
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ name: 'fc', units: 3 }).apply(x) as tfl.SymbolicTensor });
  for (const w of model.weights) {
    const r = randomArray(w.shape.reduce((a: number, b) => a * b!, 1), seed++);
    // Moving variances must stay positive; everything else may be any value.
    const v = w.originalName.endsWith('moving_variance') ? r.map((u) => 1 + 0.5 * u) : r;
    w.write(tf.tensor(Float32Array.from(v), w.shape as number[]));
  }
  return model;
}

const input = () => tf.tensor4d(Float32Array.from(randomArray(2 * 8 * 8 * 8, 99)), [2, 8, 8, 8]);

async function outputsOf(model: tfl.LayersModel): Promise<number[]> {
  const x = input();
  const y = model.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  tf.dispose([x, y]);
  return values;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resnext-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('registerFileSystemRouter', () => {
  it('registers the file:// routers once', () => {
    expect(tf.io.getSaveHandlers('file:///x')).toHaveLength(0);
    expect(registerFileSystemRouter()).toBe(true);
    expect(registerFileSystemRouter()).toBe(false);
    expect(tf.io.getSaveHandlers('file:///x')).toHaveLength(1);
    expect(tf.io.getLoadHandlers('file:///x/model.json')).toHaveLength(1);
    expect(tf.io.getSaveHandlers('indexeddb://x')).toHaveLength(0);
  });
});

for (const backend of ['cpu', 'wasm']) {
  describe(`model round trips on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      registerFileSystemRouter();
    });

    it('file://: save writes model.json + weights.bin atomically; load gives identical outputs', async () => {
      const model = smallModel(1);
      const target = join(dir, backend, 'nested');
      const result = await model.save(`file://${target}`);
      const floats = model.weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * b!, 1), 0);
      expect(result.modelArtifactsInfo.weightDataBytes).toBe(4 * floats);
      expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']); // no temporary files left
      const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
      const loaded = await tfl.loadLayersModel(`file://${target}/model.json`);
      expect(loaded.layers.map((l) => [l.name, l.getClassName()])).toEqual(model.layers.map((l) => [l.name, l.getClassName()]));
      // (JSON has no undefined: an unset initializer seed comes back as null.)
      const configOf = (m: tfl.LayersModel) => JSON.stringify(m.getLayer('layer1.0.conv2').getConfig(), (_, v: unknown) => v ?? null);
      expect(configOf(loaded)).toEqual(configOf(model));
      expect(await outputsOf(loaded)).toEqual(await outputsOf(model));
      // The directory form loads too, and a second save replaces the first.
      const other = smallModel(50);
      await other.save(`file://${target}`);
      const reloaded = await tfl.loadLayersModel(tf.io.getLoadHandlers(`file://${target}`)[0]!);
      expect(await outputsOf(reloaded)).toEqual(await outputsOf(other));
      expect(await outputsOf(reloaded)).not.toEqual(await outputsOf(model));
      for (const m of [model, loaded, other, reloaded]) m.dispose();
    });

    it('withSaveHandler / fromMemory: identical outputs, also for a folded model', async () => {
      for (const model of [smallModel(3), foldBatchNorm(smallModel(3))]) {
        let saved: tf.io.ModelArtifacts | undefined;
        await model.save(
          tf.io.withSaveHandler(async (artifacts) => {
            saved = artifacts;
            return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
          }),
        );
        const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
        expect(await outputsOf(loaded)).toEqual(await outputsOf(model));
        model.dispose();
        loaded.dispose();
      }
    });
  });
}

describe('fileSystem handler errors', () => {
  it('names the missing file', async () => {
    await expect(fileSystem(join(dir, 'absent')).load()).rejects.toThrow(/ENOENT.*absent[/\\]model\.json/);
  });

  it('rejects a JSON file that is not a model', async () => {
    const path = join(dir, 'not-a-model.json');
    await writeFile(path, '{"hello": 1}');
    await expect(fileSystem(path).load()).rejects.toThrow(/has no modelTopology or weightsManifest/);
  });
});

describe('fileSystem load refuses manifest paths outside the model folder', () => {
  it.each(['../outside.bin', '/etc/hostname', 'sub/../../outside.bin'])('refuses %s before reading any file', async (weightsPath) => {
    const model = smallModel(3);
    await model.save(fileSystem(join(dir, 'inside')));
    const modelJson = JSON.parse(await readFile(join(dir, 'inside', 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    // The weights really are there outside the folder: only the check keeps them from being read.
    await writeFile(join(dir, 'outside.bin'), await readFile(join(dir, 'inside', 'weights.bin')));
    modelJson.weightsManifest[0]!.paths = [weightsPath];
    await writeFile(join(dir, 'inside', 'model.json'), JSON.stringify(modelJson));
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'inside')))).rejects.toThrow(`names the weights file ${JSON.stringify(weightsPath)}, outside its folder`);
    model.dispose();
  });
});

describe('fileSystem with shardSizeBytes', () => {
  it('writes exactly ceil(bytes / shardSizeBytes) shards that load back to identical outputs', async () => {
    await tf.setBackend('cpu');
    const model = smallModel(7);
    const target = join(dir, 'sharded');
    const shardSizeBytes = 10_000;
    const result = await fileSystem(target, { shardSizeBytes }).save(await artifactsOf(model));
    const bytes = result.modelArtifactsInfo.weightDataBytes!;
    const count = Math.ceil(bytes / shardSizeBytes);
    expect(count).toBeGreaterThan(2);
    const shards = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
    expect(result.files).toEqual([...shards, 'model.json']);
    expect((await readdir(target)).sort()).toEqual([...shards, 'model.json'].sort());
    const sizes = await Promise.all(shards.map(async (f) => (await readFile(join(target, f))).byteLength));
    expect(sizes).toEqual(shards.map((_, i) => Math.min(shardSizeBytes, bytes - i * shardSizeBytes)));
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.weightsManifest[0]!.paths).toEqual(shards);
    const loaded = await tfl.loadLayersModel(`file://${target}/model.json`);
    expect(await outputsOf(loaded)).toEqual(await outputsOf(model));
    model.dispose();
    loaded.dispose();
  });

  it('refuses a shard size that is not an integer ≥ 4', () => {
    for (const shardSizeBytes of [0, 3, 1.5, NaN]) expect(() => fileSystem(dir, { shardSizeBytes })).toThrow(RangeError);
  });
});

/** What tf.io serializes for `model`, without writing anything. */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
  }));
  return saved!;
}
