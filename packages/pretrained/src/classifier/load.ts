import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem, foldBatchNorm } from '@resnext/layers';
import { nodeBuiltins } from '@resnext/layers/node-io';
import { createModel, getModelConfig, type ResNeXtConfig } from '@resnext/models';
import { fetchWeights, fetchWeightsWithSource } from '../download/fetch_weights.js';
import type { FetchWeightsOptions } from '../download/options.js';
import { FASHION_MNIST_LABELS } from '../labels/fashion_mnist_labels.js';
import { IMAGENET_LABELS } from '../labels/imagenet_labels.js';
import { WeightsFormatError } from '../errors.js';
import type { TensorMap } from '../formats/tensor_record.js';
import { loadStateDict, type LoadStateDictOptions, type LoadStateDictResult } from '../mapping/load_state_dict.js';
import { toStateDict } from '../mapping/to_state_dict.js';
import { getWeights } from '../registry/weights_registry.js';
import type { WeightsRecord } from '../registry/weights_record.js';
import { ResNeXtClassifier } from './classifier.js';
import { customWeightsMeta, isRecordsOwnFile, type ClassifierMeta, type CustomWeightsInfo } from './classifier_meta.js';
import { resolveLoadArguments } from './load_arguments.js';
import { readCheckpoint, sniffCheckpointFormat } from '../formats/read_checkpoint.js';
import { checkTfjsModelJson } from '../formats/tfjs_model_json.js';

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
  /**
   * Refuse weights with NaN or infinite values, or a negative BatchNorm running variance, with a
   * `WeightsValueError` naming the file and the state-dict key (such a model classifies everything
   * as NaN). Default true; `false` loads them as they are.
   */
  checkValues?: boolean;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const isTfjsModel = (s: CheckpointSource) => !(s instanceof Uint8Array) && /model\.json([?#].*)?$/i.test(s.toString());

/** Node system errors (ENOENT, EACCES, …) carry a string `code`: I/O failures, not format errors. */
const isSystemError = (err: unknown) => typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';

/**
 * An IOHandler for a model.json URL whose manifest is checked (see {@link checkTfjsModelJson})
 * before tf.io fetches any shard. `failed.io` records a network or HTTP failure, so that it is not
 * reported as a format error.
 */
function checkedHttpHandler(url: string, failed: { io: boolean }): tf.io.IOHandler {
  const fetchFunc = async (input: URL | RequestInfo, init?: RequestInit): Promise<Response> => {
    // tf.io passes URLs as strings; a Request is taken by its URL.
    const target = input instanceof Request ? input.url : input.toString();
    let response: Response;
    try {
      response = await tf.env().platform.fetch(target, init);
    } catch (err) {
      failed.io = true;
      throw err;
    }
    if (!response.ok) {
      failed.io = true;
      return response;
    }
    if (target !== url) return response;
    const text = await response.text();
    checkTfjsModelJson(text, url);
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return tf.io.http(url, { fetchFunc });
}

/**
 * The weights of a tfjs layers model (model.json + shards, e.g. from `exportTfjs`) as a PyTorch
 * state dict, through tf.io: http(s) URLs, or file paths in Node. model.json is checked first
 * (manifest paths inside its folder, sane shapes); a model.json tf.io cannot load (not a layers
 * model, unknown layers, shards that disagree with the manifest) throws {@link WeightsFormatError}
 * naming `source`, while network, HTTP and file-system failures keep their own errors.
 */
async function stateDictFromTfjs(source: string): Promise<TensorMap> {
  const failed = { io: false };
  let handler: tf.io.IOHandler;
  if (isUrl(source)) {
    handler = checkedHttpHandler(source, failed);
  } else {
    const path = source.startsWith('file://') ? source.slice('file://'.length) : source;
    const { fsp } = await nodeBuiltins();
    checkTfjsModelJson(await fsp.readFile(path, 'utf8'), source);
    handler = fileSystem(path);
  }
  let loaded: tfl.LayersModel;
  try {
    loaded = await tfl.loadLayersModel(handler);
  } catch (err) {
    if (failed.io || err instanceof WeightsFormatError || isSystemError(err)) throw err;
    throw new WeightsFormatError(source, `not a loadable tfjs layers model: ${(err as Error).message}`);
  }
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
  const { fsp } = await nodeBuiltins();
  return { bytes: await fsp.readFile(text), name: text };
}

/**
 * Loads a checkpoint (torchvision/timm .pth or .safetensors) into `model`, a network from
 * @resnext/models whose layer names are torchvision's. Strict by default: a checkpoint of another
 * architecture throws a `StateDictMismatchError` naming every missing, unexpected and mis-shaped
 * key, and the model is left untouched. A malformed file throws `WeightsFormatError`; NaN or
 * infinite values, or a negative BatchNorm running variance, throw `WeightsValueError` unless
 * `checkValues: false`; the model is left untouched in both cases too.
 */
export async function loadWeights(
  model: tfl.LayersModel,
  source: CheckpointSource,
  options: FetchWeightsOptions & Pick<LoadStateDictOptions, 'strict' | 'checkValues'> = {},
): Promise<LoadStateDictResult> {
  const { tensors, name } = await readCheckpointSource(source, options);
  return loadStateDict(model, tensors, { strict: options.strict ?? true, checkValues: options.checkValues ?? true, source: name });
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
    loadStateDict(model, tensors, { source: name, checkValues: options.checkValues ?? true });
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
