/**
 * A full-size resnext50_32x4d checkpoint with seeded weights, written as safetensors in
 * torchvision's layout, and its logits on one image: the reference for the demo's ResNeXt-50 path.
 */
import { writeFile } from 'node:fs/promises';
import { createModel } from '@resnext/models';
import { load, toStateDict, writeSafetensors, type TensorMap, type TensorRecord } from '@resnext/pretrained';

/** mulberry32: a small seeded generator, so the checkpoint is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values for one tensor of the state dict, chosen so activations stay in a moderate range through 16 blocks. */
function initialValues(name: string, record: TensorRecord, uniform: () => number): Float32Array {
  const n = record.values.length;
  const fill = (f: () => number) => Float32Array.from({ length: n }, f);
  const fanIn = record.shape.slice(1).reduce((a, b) => a * b, 1);
  if (record.shape.length >= 2) {
    // He-uniform (variance 2 / fan_in) keeps ReLU activations' scale from layer to layer.
    const bound = Math.sqrt(6 / fanIn);
    return fill(() => (2 * uniform() - 1) * bound);
  }
  if (name === 'fc.bias') return new Float32Array(n);
  if (name.endsWith('running_mean')) return fill(() => 0.2 * (uniform() - 0.5));
  if (name.endsWith('running_var')) return fill(() => 0.75 + 0.5 * uniform());
  if (name.endsWith('.bias')) return fill(() => 0.2 * (uniform() - 0.5));
  // BN scale. A residual block's last BN (bn3, and the shortcut's) gets a small one, so that the
  // sum of 16 residual branches does not grow the activations by 2^16.
  const lastOfBlock = /\.bn3\.weight$|downsample\.1\.weight$/.test(name);
  return fill(() => (lastOfBlock ? 0.2 : 0.8) + 0.2 * uniform());
}

/** The state dict of resnext50_32x4d (torchvision names) with seeded values. */
function seededStateDict(seed: number): TensorMap {
  const model = createModel('resnext50_32x4d');
  let dict: TensorMap;
  try {
    dict = toStateDict(model);
  } finally {
    model.dispose();
  }
  const uniform = seeded(seed);
  for (const [name, record] of dict) {
    if (record.dtype === 'int64') continue; // num_batches_tracked
    record.values = initialValues(name, record, uniform);
  }
  return dict;
}

function standardDeviation(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/** The classifier's logits for one image (encoded bytes), computed by @resnext/pretrained in Node. */
async function logitsOf(weights: Uint8Array | string, image: Uint8Array): Promise<Float32Array> {
  const classifier = await load({ model: 'resnext50_32x4d', weights, warmup: false });
  try {
    const x = await classifier.preprocess(image);
    const y = classifier.infer(x);
    const logits = (await y.data()) as Float32Array;
    x.dispose();
    y.dispose();
    return logits;
  } finally {
    classifier.dispose();
  }
}

/**
 * Writes the checkpoint to `file`. The fc layer is then scaled so that the logits of `image` have
 * standard deviation `logitStd`: a random network's logits are otherwise either nearly equal (a
 * top-5 in noise order) or so spread that one class takes all the probability.
 */
export async function writeResnext50Checkpoint(file: string, image: Uint8Array, { seed = 1, logitStd = 3 } = {}): Promise<void> {
  const dict = seededStateDict(seed);
  const logits = await logitsOf(writeSafetensors(dict), image);
  const scale = logitStd / standardDeviation(logits);
  const fc = dict.get('fc.weight');
  if (fc === undefined) throw new Error('resnext50_32x4d has no fc.weight');
  fc.values = (fc.values as Float32Array).map((v) => v * scale);
  await writeFile(file, writeSafetensors(dict, { origin: `seeded test weights (seed ${seed}), not trained` }));
}
