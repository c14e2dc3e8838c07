// The tiny torchvision ResNeXt of fixtures/torchvision (made by tools/fixtures): its checkpoint,
// the architecture its metadata describes, and a weights record for it, as tests load it.
import type { ResNeXtConfig } from '@resnext/models';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSafetensors } from '../formats/safetensors.js';
import type { WeightsRecord } from '../registry/weights_record.js';

/** A path under the repository's fixtures/ folder. */
export const fixturePath = (name: string): string => fileURLToPath(new URL(`../../../../fixtures/${name}`, import.meta.url));

/** The fixture's safetensors checkpoint, read. */
export const TINY_CHECKPOINT = readSafetensors(readFileSync(fixturePath('torchvision/tiny_resnext.safetensors')));

const cfg = JSON.parse(TINY_CHECKPOINT.metadata['config']!) as { layers: number[]; stem: number; planes: number[]; groups: number; width_per_group: number; num_classes: number };

/** Number of classes of the fixture's head. */
export const TINY_CLASSES = cfg.num_classes;

/** The fixture's architecture, from the config stored in its metadata. */
export const TINY: ResNeXtConfig = {
  name: 'tiny_resnext', block: 'bottleneck', blocksPerStage: cfg.layers, cardinality: cfg.groups, baseWidth: cfg.width_per_group,
  stagePlanes: cfg.planes, expansion: 4, stem: 'imagenet', stemWidth: cfg.stem, defaultInputSize: 64, origin: 'test fixture',
};

/** A weights record for the fixture (no sources: tests pass the checkpoint as `weights`). */
export const TINY_RECORD: WeightsRecord = {
  id: 'tiny_resnext.test', arch: 'tiny_resnext', tag: 'test', sources: [], license: 'BSD-3-Clause', nonCommercial: false,
  origin: 'tools/fixtures/make_torchvision_fixtures.py', metrics: { top1: 0 },
  preprocessing: { resizeSize: 73, cropSize: 64, interpolation: 'bilinear', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  classes: { count: cfg.num_classes, labels: 'imagenet-1k' },
};
