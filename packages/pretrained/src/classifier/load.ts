import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { foldBatchNorm, registerFileSystemRouter } from '@resnext/layers';
import { createModel, getModelConfig, type ResNeXtConfig } from '@resnext/models';
import { fetchWeights, fetchWeightsWithSource } from '../download/fetch_weights.js';
import type { FetchWeightsOptions } from '../download/options.js';
import { FASHION_MNIST_LABELS } from '../labels/fashion_mnist_labels.js';
import { IMAGENET_LABELS } from '../labels/imagenet_labels.js';
import type { TensorMap } from '../formats/tensor_record.js';
import { loadStateDict, type LoadStateDictResult } from '../mapping/load_state_dict.js';
import { toStateDict } from '../mapping/to_state_dict.js';
import { getWeights } from '../registry/weights_registry.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import { ResNeXtClassifier } from './classifier.js';
import { customWeightsMeta, isRecordsOwnFile, type ClassifierMeta, type CustomWeightsInfo } from './classifier_meta.js';
import { resolveLoadArguments } from './load_arguments.js';
import { readCheckpoint, sniffCheckpointFormat } from './read_checkpoint.js';

/** A checkpoint given directly: a file path (Node), an http(s) URL, or its bytes (.safetensors or .pth); or a tfjs model.json path/URL. */
export type CheckpointSource = string | URL | Uint8Array;

/** Options of {@link load}; the download options (cache, offline, mirror, fetch, progress, …) included. */
export interface LoadOptions extends FetchWeightsOptions {
  /** `arch` (its default weights) or `arch.tag`. Default `resnext50_32x4d` (→ `.tv2_in1k`). */
  model?: string;
  /** Weights not in the registry: their record (with `arch`, `preprocessing`, `classes`, `sources`). */
  record?: WeightsRecord;
  /** An architecture not in @resnext/models' registry, for `record.arch`. */
  config?: ResNeXtConfig;
  /**
   * Your own checkpoint, used instead of the record's sources: a .safetensors or PyTorch .pth file
   * (path in Node, http(s) URL, or bytes), or a tfjs `model.json` path/URL. Its keys must be
   * torchvision's for the record's architecture. The record (from `model`, or `record`) still gives
   * the architecture, preprocessing and labels. URLs go through the download cache but have no
   * published digest to check. The classifier's `meta` then describes this checkpoint: for a
   * registry record, id `<arch>.custom`, no `metrics` or `license`, and `customWeights` set. A
   * .safetensors/.pth file whose sha256 is the record's published digest is the record's own file
   * served from elsewhere (a bundler-emitted URL, a copy on disk): `meta` is then the record.
   */
  weights?: CheckpointSource;
  /** Class names; default from the record (ImageNet-1k labels for ImageNet weights). */
  labels?: readonly string[];
  /** Fold BatchNorm into the convolutions (faster, inference only). Default true. */
  foldBatchNorm?: boolean;
  /** Run one inference on load so the first real call is not slow. Default true. */
  warmup?: boolean;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const isTfjsModel = (s: CheckpointSource) => !(s instanceof Uint8Array) && /model\.json([?#].*)?$/i.test(s.toString());

/**
 * The weights of a tfjs layers model (model.json + shards, e.g. from `exportTfjs`) as a PyTorch
 * state dict, through tf.io: http(s) URLs, or file paths in Node.
 */
async function stateDictFromTfjs(source: string): Promise<TensorMap> {
  let url = source;
  if (!isUrl(source)) {
    registerFileSystemRouter();
    url = source.startsWith('file://') ? source : `file://${source}`;
  }
  const loaded = await tfl.loadLayersModel(url);
  try {
    return toStateDict(loaded);
  } finally {
    loaded.dispose();
  }
}

/** A checkpoint read from any source: its named tensors, the name for messages, and what it was. */
interface ReadCheckpoint {
  tensors: TensorMap;
  name: string;
  custom: Omit<CustomWeightsInfo, 'record'>;
  /** The file's bytes (absent for a tfjs model, read shard by shard by tf.io). */
  bytes?: Uint8Array;
}

/** Named tensors from any checkpoint source: .safetensors / .pth (path, URL, bytes) or a tfjs model.json. */
async function readCheckpointSource(source: CheckpointSource, options: FetchWeightsOptions): Promise<ReadCheckpoint> {
  const given = source instanceof Uint8Array ? 'bytes' : source.toString();
  if (isTfjsModel(source)) return { tensors: await stateDictFromTfjs(given), name: given, custom: { source: given, format: 'tfjs' } };
  const { bytes, name } = await checkpointBytes(source, options);
  const format = sniffCheckpointFormat(bytes, name);
  return { tensors: readCheckpoint(bytes, name), name, custom: { source: given, format }, bytes };
}

/** The bytes of a checkpoint given as a path, URL or bytes. */
async function checkpointBytes(source: CheckpointSource, options: FetchWeightsOptions): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: 'checkpoint bytes' };
  const text = source.toString();
  if (source instanceof URL || isUrl(text)) return { bytes: await fetchWeights({ url: text }, options), name: text };
  const NODE_FS = 'node:fs/promises';
  const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as { readFile(path: string): Promise<Uint8Array> };
  return { bytes: await fs.readFile(text), name: text };
}

/**
 * Loads a checkpoint (torchvision/timm .pth or .safetensors) into `model`, a network from
 * @resnext/models whose layer names are torchvision's. Strict by default: a checkpoint of another
 * architecture throws a `StateDictMismatchError` naming every missing, unexpected and mis-shaped
 * key, and the model is left untouched.
 */
export async function loadWeights(
  model: tfl.LayersModel,
  source: CheckpointSource,
  options: FetchWeightsOptions & { strict?: boolean } = {},
): Promise<LoadStateDictResult> {
  const { tensors, name } = await readCheckpointSource(source, options);
  return loadStateDict(model, tensors, { strict: options.strict ?? true, source: name });
}

function labelsOf(record: WeightsRecord, given: readonly string[] | undefined): readonly string[] {
  if (given !== undefined) return given;
  if (record.classes.labels === 'imagenet-1k') return IMAGENET_LABELS;
  if (record.classes.labels === 'fashion-mnist') return FASHION_MNIST_LABELS;
  return Array.from({ length: record.classes.count }, (_, i) => String(i));
}

/**
 * Loads a pretrained ResNeXt classifier: resolves the weights record, downloads (or reads from
 * the cache) the checkpoint with integrity checks, builds the architecture, maps the
 * torchvision keys onto it, folds BatchNorm, and warms it up.
 *
 * @param model - `arch` (its default weights) or `arch.tag`, e.g. `'resnext50_32x4d.tv2_in1k'`.
 * @param options - everything else of {@link LoadOptions}: download options (`onProgress`,
 *   `cacheDir`, `offline`, `mirror`, …), `weights`, `labels`, `foldBatchNorm`, `warmup`.
 * @throws TypeError when `options` is not an options object, or names a `model` too.
 *
 * @example
 * ```ts
 * const classifier = await load('resnext50_32x4d.tv2_in1k', { onProgress: (p) => console.log(p.loaded) });
 * console.log(await classifier.classify('cat.jpg', 3)); // [{ index: 281, label: 'tabby', probability: 0.6 }, …]
 * classifier.dispose();
 * ```
 */
export function load(model: string, options?: Omit<LoadOptions, 'model'>): Promise<ResNeXtClassifier>;
/**
 * Loads a pretrained ResNeXt classifier described by one options object (`model` inside it).
 * Default: `resnext50_32x4d`'s default weights.
 *
 * @throws TypeError when a second argument is given.
 *
 * @example
 * ```ts
 * const classifier = await load({ model: 'resnext_fmnist', weights: 'my-finetuned.safetensors' });
 * ```
 */
export function load(options?: LoadOptions): Promise<ResNeXtClassifier>;
export async function load(modelOrOptions?: string | LoadOptions, moreOptions?: Omit<LoadOptions, 'model'>): Promise<ResNeXtClassifier> {
  const options = resolveLoadArguments<LoadOptions>('load', modelOrOptions, moreOptions);
  const record = options.record ?? getWeights(options.model ?? 'resnext50_32x4d');
  const config = options.config ?? getModelConfig(record.arch);
  const { cropSize } = record.preprocessing;
  const channels = record.preprocessing.channels ?? 3;

  let tensors: TensorMap;
  let name: string;
  let meta: ClassifierMeta = record;
  if (options.weights !== undefined) {
    const read = await readCheckpointSource(options.weights, options);
    ({ tensors, name } = read);
    // The record's own file fetched from elsewhere (e.g. a bundler-emitted URL) is the record's weights.
    const isRecordFile = options.record === undefined && read.bytes !== undefined && (await isRecordsOwnFile(record, read.bytes));
    if (!isRecordFile) meta = customWeightsMeta(record, { ...read.custom, record: record.id }, options.record !== undefined);
  } else if (record.sources[0]?.format === 'tfjs') {
    // tfjs models are fetched shard by shard by tf.io (cached by the browser's HTTP cache).
    name = record.sources[0].url;
    tensors = await stateDictFromTfjs(name);
  } else {
    const fetched = await fetchWeightsWithSource(record, options);
    name = fetched.source.url;
    tensors = readCheckpoint(fetched.bytes, name);
  }

  let model = createModel(config, { numClasses: record.classes.count, inputShape: [null, null, channels], name: record.id });
  try {
    loadStateDict(model, tensors, { source: name });
    if (options.foldBatchNorm ?? true) {
      const folded = foldBatchNorm(model);
      model.dispose();
      model = folded;
    }
  } catch (err) {
    model.dispose();
    throw err;
  }
  const classifier = new ResNeXtClassifier(model, meta, labelsOf(record, options.labels));
  if (options.warmup ?? true) {
    const x = tf.zeros<tf.Rank.R4>([1, cropSize, cropSize, channels]);
    const y = classifier.infer(x);
    await y.data();
    tf.dispose([x, y]);
  }
  return classifier;
}
