// load() end to end over HTTP (a loopback server), with the cache: the checkpoint is downloaded
// once, with progress, verified, and later loads work offline.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { ResNeXtConfig } from '@resnext/models';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../download/errors.js';
import { readSafetensors } from '../formats/safetensors.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import { startLoopbackServer } from '../testing/loopback_server.js';
import { load } from './load.js';

const server = await startLoopbackServer();
const bytes = readFileSync(fileURLToPath(new URL('../../../../fixtures/torchvision/tiny_resnext.safetensors', import.meta.url)));
const cfg = JSON.parse(readSafetensors(bytes).metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number };
const TINY: ResNeXtConfig = {
  name: 'tiny_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};
const sha256 = createHash('sha256').update(bytes).digest('hex');
const record = (url: string, digest = sha256): WeightsRecord => ({
  id: 'tiny_resnext.http', arch: 'tiny_resnext', tag: 'http', license: 'BSD-3-Clause', nonCommercial: false, origin: 'fixture', metrics: { top1: 0 },
  sources: [{ url, format: 'safetensors', sha256: digest, bytes: bytes.byteLength }],
  preprocessing: { resizeSize: 73, cropSize: 64, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  classes: { count: 10, labels: 'imagenet-1k' },
});
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'load-http-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('load() over HTTP', () => {
  it('downloads once with progress, then loads from the cache offline', async () => {
    server.serve('/tiny.safetensors', bytes);
    const progress: number[] = [];
    const first = await load({ record: record(server.url('/tiny.safetensors')), config: TINY, cacheDir, onProgress: (p) => progress.push(p.loaded) });
    expect(progress.at(-1)).toBe(bytes.byteLength);
    const second = await load({ record: record(server.url('/tiny.safetensors')), config: TINY, cacheDir, offline: true });
    expect(server.count('/tiny.safetensors')).toBe(1);
    const x = tf.randomNormal<tf.Rank.R4>([1, 64, 64, 3], 0, 1, 'float32', 2);
    const [a, b] = [first.infer(x), second.infer(x)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    first.dispose();
    second.dispose();
  });

  it('refuses weights whose sha256 does not match, naming the URL, and caches nothing', async () => {
    server.serve('/tampered.safetensors', bytes);
    const url = server.url('/tampered.safetensors');
    const numTensors = tf.memory().numTensors;
    await expect(load({ record: record(url, '0'.repeat(64)), config: TINY, cacheDir })).rejects.toThrow(IntegrityError);
    await expect(load({ record: record(url, '0'.repeat(64)), config: TINY, cacheDir, offline: true })).rejects.toThrow(/tampered\.safetensors/);
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});
