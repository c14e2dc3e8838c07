import type { WeightsRecord } from './weights_record.js';

/** What both shipped Fashion-MNIST records share: the network, its input pipeline, classes and licence. */
const RESNEXT_FMNIST = {
  arch: 'resnext_fmnist',
  license: 'Apache-2.0',
  nonCommercial: false,
  preprocessing: { resizeSize: 28, cropSize: 28, interpolation: 'bilinear', channels: 1, mean: [0.286], std: [0.353] },
  classes: { count: 10, labels: 'fashion-mnist' },
} as const satisfies Partial<WeightsRecord>;

/**
 * Weights trained by this project's own recipes and shipped inside the package (`weights/`), so
 * they load with no network at all. Numbers are measured: test top-1 on the 10,000 Fashion-MNIST
 * test images by the run that produced the file (metrics.jsonl of the run directory).
 */
export const FASHION_MNIST_WEIGHTS: readonly WeightsRecord[] = [
  {
    ...RESNEXT_FMNIST,
    id: 'resnext_fmnist.full_fmnist',
    tag: 'full_fmnist',
    sources: [{ url: 'bundled:resnext_fmnist.full_fmnist.safetensors', format: 'safetensors', sha256: '9005150e8466b17c815cfa79a2265eebd3a542a9a92a7c7c11d2691ad818e590', bytes: 660680 }],
    origin: 'ResNeXt.js recipe fashion-mnist-resnext (13 epochs, seed 0) with @resnext/recipes on tfjs-wasm, 2 threads: 80 min on a 2-core Xeon',
    metrics: { top1: 92.34 },
  },
  {
    ...RESNEXT_FMNIST,
    id: 'resnext_fmnist.quick_fmnist',
    tag: 'quick_fmnist',
    sources: [{ url: 'bundled:resnext_fmnist.quick_fmnist.safetensors', format: 'safetensors', sha256: '853f33b93d7b3e27909ef3a3a8e7941a4492abebcc63bdb21696958093b64546', bytes: 660680 }],
    origin: 'ResNeXt.js recipe fashion-mnist-resnext --quick (4 epochs, seed 0) with @resnext/recipes on tfjs-wasm, 2 threads: 25 min on a 2-core Xeon',
    metrics: { top1: 90.13 },
  },
];

/** Default tags of the Fashion-MNIST architectures. */
export const FASHION_MNIST_DEFAULT_TAGS: Readonly<Record<string, string>> = { resnext_fmnist: 'full_fmnist' };
