// A tfjs model.json is input too: its manifest must not reach outside its folder, and a model.json
// tf.io cannot load is a WeightsFormatError naming it (I/O failures keep their own errors).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createModel, type ResNeXtConfig } from '@resnext/models';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsFormatError } from '../errors.js';
import { exportTfjs } from '../export/export_tfjs.js';
import { readSafetensors } from './safetensors.js';
import { loadWeights } from '../classifier/load.js';
import { checkTfjsModelJson, manifestPathProblem } from './tfjs_model_json.js';

const fixture = readSafetensors(readFileSync(new URL('../../../../fixtures/torchvision/tiny_resnext.safetensors', import.meta.url)));
const cfg = JSON.parse(fixture.metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number; num_classes: number };
const TINY: ResNeXtConfig = {
  name: 'tiny_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};
const build = () => createModel(TINY, { numClasses: cfg.num_classes, inputShape: [null, null, 3] });

let root: string;
let modelDir: string;
let modelJson: { weightsManifest: { paths: string[] }[]; modelTopology: unknown };
let server: http.Server;
let base: string;
const served = new Map<string, { status: number; body: Uint8Array | string }>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(path.join(os.tmpdir(), 'tfjs-manifest-'));
  modelDir = path.join(root, 'model');
  const model = build();
  await exportTfjs(model, modelDir);
  model.dispose();
  modelJson = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as typeof modelJson;
  server = http.createServer((req, res) => {
    const file = served.get(req.url ?? '');
    res.writeHead(file?.status ?? 404).end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  server.close();
});

/** Writes `root/<dir>/model.json` (text as is, anything else as JSON) and returns its path. */
function writeModelJson(dir: string, json: unknown): string {
  mkdirSync(path.join(root, dir), { recursive: true });
  const file = path.join(root, dir, 'model.json');
  writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}
const withPaths = (paths: string[]) => ({ ...modelJson, weightsManifest: [{ ...modelJson.weightsManifest[0], paths }] });

describe('manifestPathProblem', () => {
  it('accepts plain relative paths inside the folder', () => {
    for (const p of ['group1-shard1of1.bin', 'shards/a.bin', 'a..b.bin']) expect(manifestPathProblem(p), p).toBeUndefined();
  });
  it.each([
    ['../secret.bin', /climbs out/],
    ['shards/../../secret.bin', /climbs out/],
    ['%2e%2e/secret.bin', /climbs out/],
    ['..\\secret.bin', /climbs out/],
    ['/etc/hostname', /absolute/],
    ['\\\\server\\share', /absolute/],
    ['C:/Windows/win.ini', /URL or a drive path/],
    ['https://elsewhere.example/x.bin', /URL or a drive path/],
    ['file:///etc/hostname', /URL or a drive path/],
    ['', /not a non-empty string/],
    ['%E0%A4%A', /malformed percent-encoding/],
  ])('refuses %s', (p, message) => {
    expect(manifestPathProblem(p)).toMatch(message);
  });
});

describe('checkTfjsModelJson', () => {
  it.each([
    ['not JSON', 'this is not json', /model\.json is not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['no modelTopology', '{"weightsManifest": []}', /no modelTopology object/],
    ['no weightsManifest', '{"modelTopology": {}}', /no weightsManifest list/],
    ['a group without paths', '{"modelTopology": {}, "weightsManifest": [{"weights": []}]}', /lacks its paths or weights/],
    ['an absurd weight shape', '{"modelTopology": {}, "weightsManifest": [{"paths": ["a.bin"], "weights": [{"name": "k", "shape": [1e9, 1e9, 0], "dtype": "float32"}]}]}', /weight "k": shape .* spans more than/],
    ['a negative weight dim', '{"modelTopology": {}, "weightsManifest": [{"paths": ["a.bin"], "weights": [{"name": "k", "shape": [-1], "dtype": "float32"}]}]}', /weight "k": shape \[-1\] is not a list of non-negative integers/],
  ])('refuses %s with a WeightsFormatError naming the file', (_, text, message) => {
    const call = () => checkTfjsModelJson(text, 'm/model.json');
    expect(call).toThrow(WeightsFormatError);
    expect(call).toThrow(/^m\/model\.json: /);
    expect(call).toThrow(message);
  });
});

describe('loadWeights from a tfjs model.json', () => {
  it('loads an exported model (the manifest check lets honest files through)', async () => {
    const model = build();
    await expect(loadWeights(model, path.join(modelDir, 'model.json'))).resolves.toEqual({ missingKeys: [], unexpectedKeys: [], mismatchedKeys: [] });
    model.dispose();
  });

  it.each([
    ['a path climbing out with ..', (shard: string) => `../${shard}`],
    ['an absolute path', (shard: string) => path.join(root, shard)],
  ])('refuses %s before reading it, naming the path', async (_, pathOf) => {
    // The shard is really there outside the folder, so only the check stops it being read.
    const shard = modelJson.weightsManifest[0]!.paths[0]!;
    copyFileSync(path.join(modelDir, shard), path.join(root, shard));
    const file = writeModelJson('escape', withPaths([pathOf(shard)]));
    const model = build();
    const call = loadWeights(model, file);
    await expect(call).rejects.toThrow(WeightsFormatError);
    await expect(loadWeights(model, file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: weights path ".*${shard.replace(/\./g, '\\.')}" .*must stay inside the model's folder`));
    model.dispose();
  });

  it.each([
    ['not JSON', 'garbage {', /model\.json is not JSON/],
    ['JSON without modelTopology', '{"weightsManifest": []}', /no modelTopology/],
  ])('refuses a model.json that is %s with a WeightsFormatError naming it', async (_, text, message) => {
    const file = writeModelJson('garbage', text);
    const model = build();
    await expect(loadWeights(model, file)).rejects.toThrow(WeightsFormatError);
    await expect(loadWeights(model, file)).rejects.toThrow(message);
    model.dispose();
  });

  it('refuses a model.json with an unknown layer class with a WeightsFormatError naming it', async () => {
    const text = JSON.stringify(modelJson).replace('"class_name":"Conv2D"', '"class_name":"EvilLayer"');
    const file = writeModelJson('unknown-layer', text);
    for (const shard of modelJson.weightsManifest[0]!.paths) copyFileSync(path.join(modelDir, shard), path.join(root, 'unknown-layer', shard));
    const model = build();
    await expect(loadWeights(model, file)).rejects.toThrow(WeightsFormatError);
    await expect(loadWeights(model, file)).rejects.toThrow(/unknown-layer\/model\.json: not a loadable tfjs layers model: .*EvilLayer/);
    model.dispose();
  });

  it('keeps a missing file an I/O error, not a format error', async () => {
    const model = build();
    const error = await loadWeights(model, path.join(root, 'nowhere', 'model.json')).catch((err: unknown) => err);
    expect(error).not.toBeInstanceOf(WeightsFormatError);
    expect((error as { code?: string }).code).toBe('ENOENT');
    model.dispose();
  });

  it('over HTTP: refuses garbage and escaping paths as format errors, keeps a 404 an HTTP error', async () => {
    served.set('/garbage/model.json', { status: 200, body: '<html>not a model</html>' });
    served.set('/escape/model.json', { status: 200, body: JSON.stringify(withPaths(['../secret.bin'])) });
    served.set('/secret.bin', { status: 200, body: new Uint8Array(8) });
    const model = build();
    await expect(loadWeights(model, `${base}/garbage/model.json`)).rejects.toThrow(/^http:.*\/garbage\/model\.json: model\.json is not JSON/);
    await expect(loadWeights(model, `${base}/escape/model.json`)).rejects.toThrow(/^http:.*\/escape\/model\.json: weights path "\.\.\/secret\.bin" climbs out/);
    const notFound = await loadWeights(model, `${base}/missing/model.json`).catch((err: unknown) => err);
    expect(notFound).toBeInstanceOf(Error);
    expect(notFound).not.toBeInstanceOf(WeightsFormatError);
    expect((notFound as Error).message).toMatch(/404/);
    // Nothing listens on port 9 of 127.0.0.1 (discard): a refused connection is a network error.
    const refused = await loadWeights(model, 'http://127.0.0.1:9/model.json').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(WeightsFormatError);
    model.dispose();
  });
});
