/**
 * What the test serves to the app and checks its outputs against: the torchvision fixture (a tiny
 * ResNeXt's checkpoint, its record and architecture, an input batch and torchvision's logits for
 * it), and the shipped Fashion-MNIST weights.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ResNeXtConfig } from '@resnext/models';
import { readSafetensors, type WeightsRecord } from '@resnext/pretrained';
import { REPO } from './scratch_app.js';

/** The fixture as the app receives it (JSON), and torchvision's logits for its input. */
export interface TinyFixture {
  checkpoint: Uint8Array;
  json: { record: WeightsRecord; config: ResNeXtConfig; input: { shape: number[]; values: number[] } };
  logits: Float32Array;
}

/** tools/fixtures/make_torchvision_fixtures.py's tiny_resnext: its checkpoint, architecture and reference outputs. */
export function tinyResnext(): TinyFixture {
  const checkpoint = readFileSync(path.join(REPO, 'fixtures/torchvision/tiny_resnext.safetensors'));
  const cfg = JSON.parse(readSafetensors(checkpoint).metadata['config']!) as {
    layers: number[];
    stem: number;
    planes: number[];
    groups: number;
    width_per_group: number;
    num_classes: number;
  };
  const config: ResNeXtConfig = {
    name: 'tiny_resnext',
    block: 'bottleneck',
    blocksPerStage: cfg.layers,
    cardinality: cfg.groups,
    baseWidth: cfg.width_per_group,
    stagePlanes: cfg.planes,
    expansion: 4,
    stem: 'imagenet',
    stemWidth: cfg.stem,
    defaultInputSize: 64,
    origin: 'tools/fixtures/make_torchvision_fixtures.py',
  };
  const record: WeightsRecord = {
    id: 'tiny_resnext.bundled',
    arch: 'tiny_resnext',
    tag: 'bundled',
    sources: [],
    license: 'BSD-3-Clause',
    nonCommercial: false,
    origin: 'tools/fixtures/make_torchvision_fixtures.py',
    metrics: { top1: 0 },
    preprocessing: { resizeSize: 73, cropSize: 64, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    classes: { count: cfg.num_classes, labels: 'imagenet-1k' },
  };
  const io = readSafetensors(readFileSync(path.join(REPO, 'fixtures/torchvision/tiny_resnext.io.safetensors'))).tensors;
  const input = io.get('input_0')!;
  const [n, c, h, w] = input.shape as [number, number, number, number];
  // torchvision's input is NCHW; the model takes NHWC.
  const nhwc = new Array<number>(input.values.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) nhwc[((b * h + y) * w + x) * c + k] = input.values[((b * c + k) * h + y) * w + x]!;
  return {
    checkpoint,
    json: { record, config, input: { shape: [n, h, w, c], values: nhwc } },
    logits: Float32Array.from(io.get('logits_0')!.values),
  };
}

/** The Fashion-MNIST weights shipped in the installed @resnext/pretrained (the full recipe's). */
export function shippedFashionMnistWeights(app: string): Uint8Array {
  return readFileSync(path.join(app, 'node_modules/@resnext/pretrained/weights/resnext_fmnist.full_fmnist.safetensors'));
}

