import type { Preprocessing, WeightsRecord, WeightsSource } from './weights_record.js';

const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

const torchvisionV1: Preprocessing = { resizeSize: 256, cropSize: 224, interpolation: 'bilinear', mean: IMAGENET_MEAN, std: IMAGENET_STD };
const torchvisionV2: Preprocessing = { ...torchvisionV1, resizeSize: 232 };
// timm's crop_pct: resize = floor(crop / crop_pct).
const timmCrop = (cropPct: number, interpolation: 'bilinear' | 'bicubic'): Preprocessing => ({
  resizeSize: Math.floor(224 / cropPct),
  cropSize: 224,
  interpolation,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
});

const TORCHVISION = 'https://download.pytorch.org/models/';
const HF = 'https://huggingface.co/timm/';

/** The torchvision file and its timm safetensors twin (same keys, same tensors). */
function torchvisionSources(file: string, hfRepo: string): WeightsSource[] {
  return [
    { url: `${TORCHVISION}${file}`, format: 'pth', sha256Prefix: /-([0-9a-f]{8})\.pth$/.exec(file)![1]! },
    { url: `${HF}${hfRepo}/resolve/main/model.safetensors`, format: 'safetensors' },
  ];
}
const timmSource = (id: string): WeightsSource[] => [{ url: `${HF}${id}/resolve/main/model.safetensors`, format: 'safetensors' }];

const imagenet = { count: 1000, labels: 'imagenet-1k' } as const;

function record(r: Omit<WeightsRecord, 'id' | 'nonCommercial' | 'classes'> & { nonCommercial?: boolean }): WeightsRecord {
  return { ...r, id: `${r.arch}.${r.tag}`, nonCommercial: r.nonCommercial ?? false, classes: imagenet };
}

/** Every public ImageNet-1k ResNeXt checkpoint we know how to load. */
export const IMAGENET_WEIGHTS: readonly WeightsRecord[] = [
  record({
    arch: 'resnext50_32x4d', tag: 'tv_in1k', sources: torchvisionSources('resnext50_32x4d-7cdf4587.pth', 'resnext50_32x4d.tv_in1k'),
    license: 'BSD-3-Clause', origin: 'torchvision IMAGENET1K_V1 (the paper recipe)', metrics: { top1: 77.618, top5: 93.698 }, preprocessing: torchvisionV1,
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'tv2_in1k', sources: torchvisionSources('resnext50_32x4d-1a0047aa.pth', 'resnext50_32x4d.tv2_in1k'),
    license: 'BSD-3-Clause', origin: 'torchvision IMAGENET1K_V2 (new training recipe)', metrics: { top1: 81.198, top5: 95.34 }, preprocessing: torchvisionV2,
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'a1h_in1k', sources: timmSource('resnext50_32x4d.a1h_in1k'),
    license: 'Apache-2.0', origin: 'timm, ResNet Strikes Back A1 recipe (heavier aug)', metrics: { top1: 81.14 }, preprocessing: timmCrop(0.95, 'bicubic'),
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'a1_in1k', sources: timmSource('resnext50_32x4d.a1_in1k'),
    license: 'Apache-2.0', origin: 'timm, ResNet Strikes Back A1 recipe', metrics: { top1: 80.53 }, preprocessing: timmCrop(0.95, 'bicubic'),
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'ra_in1k', sources: timmSource('resnext50_32x4d.ra_in1k'),
    license: 'Apache-2.0', origin: 'timm, RandAugment recipe', metrics: { top1: 79.8 }, preprocessing: timmCrop(0.95, 'bicubic'),
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'fb_ssl_yfcc100m_ft_in1k', sources: timmSource('resnext50_32x4d.fb_ssl_yfcc100m_ft_in1k'),
    license: 'CC-BY-NC-4.0', nonCommercial: true, origin: 'Facebook semi-supervised (YFCC100M), fine-tuned on ImageNet-1k', metrics: { top1: 80.32 }, preprocessing: timmCrop(0.875, 'bilinear'),
  }),
  record({
    arch: 'resnext50_32x4d', tag: 'fb_swsl_ig1b_ft_in1k', sources: timmSource('resnext50_32x4d.fb_swsl_ig1b_ft_in1k'),
    license: 'CC-BY-NC-4.0', nonCommercial: true, origin: 'Facebook semi-weakly supervised (IG-1B), fine-tuned on ImageNet-1k', metrics: { top1: 82.16 }, preprocessing: timmCrop(0.875, 'bilinear'),
  }),
  record({
    arch: 'resnext101_32x8d', tag: 'tv_in1k', sources: torchvisionSources('resnext101_32x8d-8ba56ff5.pth', 'resnext101_32x8d.tv_in1k'),
    license: 'BSD-3-Clause', origin: 'torchvision IMAGENET1K_V1', metrics: { top1: 79.312, top5: 94.526 }, preprocessing: torchvisionV1,
  }),
  record({
    arch: 'resnext101_32x8d', tag: 'tv2_in1k', sources: torchvisionSources('resnext101_32x8d-110c445d.pth', 'resnext101_32x8d.tv2_in1k'),
    license: 'BSD-3-Clause', origin: 'torchvision IMAGENET1K_V2', metrics: { top1: 82.834, top5: 96.228 }, preprocessing: torchvisionV2,
  }),
  record({
    arch: 'resnext101_32x8d', tag: 'fb_wsl_ig1b_ft_in1k', sources: timmSource('resnext101_32x8d.fb_wsl_ig1b_ft_in1k'),
    license: 'CC-BY-NC-4.0', nonCommercial: true, origin: 'Facebook weakly supervised (IG-1B hashtags), fine-tuned on ImageNet-1k', metrics: { top1: 82.72 }, preprocessing: timmCrop(0.875, 'bilinear'),
  }),
  record({
    arch: 'resnext101_32x8d', tag: 'fb_swsl_ig1b_ft_in1k', sources: timmSource('resnext101_32x8d.fb_swsl_ig1b_ft_in1k'),
    license: 'CC-BY-NC-4.0', nonCommercial: true, origin: 'Facebook semi-weakly supervised (IG-1B), fine-tuned on ImageNet-1k', metrics: { top1: 84.28 }, preprocessing: timmCrop(0.875, 'bilinear'),
  }),
  record({
    arch: 'resnext101_64x4d', tag: 'tv_in1k', sources: torchvisionSources('resnext101_64x4d-173b62eb.pth', 'resnext101_64x4d.tv_in1k'),
    license: 'BSD-3-Clause', origin: 'torchvision IMAGENET1K_V1 (trained with the V2 recipe)', metrics: { top1: 83.246, top5: 96.454 }, preprocessing: torchvisionV2,
  }),
  record({
    arch: 'resnext101_64x4d', tag: 'c1_in1k', sources: timmSource('resnext101_64x4d.c1_in1k'),
    license: 'Apache-2.0', origin: 'timm, C1 recipe', metrics: { top1: 82.45 }, preprocessing: timmCrop(0.95, 'bicubic'),
  }),
];

/** The tag `load('arch')` picks for an ImageNet architecture when no tag is given. */
export const IMAGENET_DEFAULT_TAGS: Readonly<Record<string, string>> = {
  resnext50_32x4d: 'tv2_in1k',
  resnext101_32x8d: 'tv2_in1k',
  resnext101_64x4d: 'tv_in1k',
};
