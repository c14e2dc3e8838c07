import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem } from '@resnext/layers';
import { toFloat16Bits } from './float16.js';

/** Options of {@link exportTfjs}. */
export interface ExportTfjsOptions {
  /** Store weights as float16 (half the download; tf.io dequantizes on load). Default false. */
  float16?: boolean;
  /** Largest weight shard in bytes. Default 4 MiB, which CDNs and browser caches handle well. */
  shardBytes?: number;
}

/** What {@link exportTfjs} wrote. */
export interface ExportTfjsResult {
  /** File names written into the directory, model.json last. */
  files: string[];
  /** Total bytes of the weight shards. */
  weightBytes: number;
}

/** The model's topology and weights as tf.io serializes them, without writing anything. */
async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  return captured!;
}

/** Re-encodes every float32 weight as float16 and marks it for tf.io's dequantization. */
function quantizeFloat16(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): [tf.io.WeightsManifestEntry[], ArrayBuffer] {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const out = specs.map((spec) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * (spec.dtype === 'float32' || spec.dtype === 'int32' ? 4 : 1);
    const slice = data.slice(offset, offset + bytes);
    offset += bytes;
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) {
      parts.push(new Uint8Array(slice));
      return spec;
    }
    parts.push(new Uint8Array(toFloat16Bits(new Float32Array(slice)).buffer));
    return { ...spec, quantization: { dtype: 'float16' as const } };
  });
  const joined = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.byteLength;
  }
  return [out, joined.buffer];
}

/**
 * Writes `model` in the TensorFlow.js layers format for static hosting: `model.json` plus weight
 * shards of at most `shardBytes` (`group1-shard1of7.bin`, …), loadable with
 * `tf.loadLayersModel(url)` from any HTTP server or CDN (or `file://` in Node). The files are
 * written by the `fileSystem` handler of `@resnext/layers` with `shardSizeBytes`: each one
 * atomically and fsynced, model.json last, so a reader never sees a model.json whose shards are
 * missing. Node only.
 *
 * @example
 * ```ts
 * await exportTfjs(classifier.model, './web/resnext50', { float16: true });
 * // browser: await tf.loadLayersModel('/web/resnext50/model.json')
 * ```
 */
export async function exportTfjs(model: tfl.LayersModel, dir: string, options: ExportTfjsOptions = {}): Promise<ExportTfjsResult> {
  const shardBytes = options.shardBytes ?? 4 * 1024 * 1024;
  if (!Number.isInteger(shardBytes) || shardBytes < 4) throw new RangeError(`exportTfjs: shardBytes must be an integer ≥ 4, got ${shardBytes}`);
  const artifacts = await artifactsOf(model);
  let weightSpecs = artifacts.weightSpecs ?? [];
  let weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
  if (options.float16) [weightSpecs, weightData] = quantizeFloat16(weightSpecs, weightData);
  const { files } = await fileSystem(dir, { shardSizeBytes: shardBytes }).save({
    ...artifacts,
    weightSpecs,
    weightData,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
    convertedBy: '@resnext/pretrained exportTfjs',
  });
  return { files, weightBytes: weightData.byteLength };
}
