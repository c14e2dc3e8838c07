/**
 * A Node-only `file://` IOHandler for tf.io, as tfjs-node provides (which cannot be installed
 * everywhere): `model.save('file:///dir')` writes dir/model.json + dir/weights.bin;
 * `tf.loadLayersModel('file:///dir/model.json')` reads them back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from './atomic_write.js';
import { nodeBuiltins } from './node_builtins.js';

const SCHEME = 'file://';
const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** `dir/model.json` for a directory, or the path itself when it names a .json file. */
function modelJsonPath(path: string): string {
  return path.endsWith('.json') ? path : `${path.replace(/[/\\]+$/, '')}/${MODEL_JSON}`;
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

/**
 * Whether a weights-manifest path stays inside the model's folder: relative, without `..`
 * segments, drive letters or NUL. A manifest from an untrusted model.json could otherwise name any
 * file the process can read (`../../etc/passwd`, `/etc/hostname`).
 */
function staysInside(file: unknown): file is string {
  return (
    typeof file === 'string' &&
    file !== '' &&
    !/^[/\\]/.test(file) &&
    !/^[a-z]:/i.test(file) &&
    !file.includes('\0') &&
    !file.split(/[/\\]/).includes('..')
  );
}

/** A view of a Node Buffer's bytes as a standalone ArrayBuffer. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function modelJsonOf(artifacts: tf.io.ModelArtifacts, weightsManifest: tf.io.WeightsManifestConfig): tf.io.ModelJSON {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('file:// handler: binary (GraphDef) model topologies are not supported, only JSON.');
  }
  const json: tf.io.ModelJSON = { modelTopology: artifacts.modelTopology ?? {}, weightsManifest };
  const optional = ['format', 'generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;
  for (const key of optional) {
    if (artifacts[key] !== undefined) (json as unknown as Record<string, unknown>)[key] = artifacts[key];
  }
  return json;
}

/** Options of {@link fileSystem}. */
export interface FileSystemOptions {
  /**
   * Split the weights into shards of at most this many bytes (an integer ≥ 4), named like the
   * tfjs converters' `group1-shard1of3.bin`, `group1-shard2of3.bin`, …: files that CDNs and
   * browser caches handle well. Default: one `weights.bin`.
   */
  shardSizeBytes?: number;
}

/** What {@link fileSystem}'s `save` wrote, besides tf.io's summary. */
export interface FileSystemSaveResult extends tf.io.SaveResult {
  /** The file names written into the model's folder, in order: weight files, then model.json. */
  files: string[];
}

/** A file:// IOHandler whose `save` also names the files it wrote. */
export interface FileSystemHandler extends tf.io.IOHandler {
  save(artifacts: tf.io.ModelArtifacts): Promise<FileSystemSaveResult>;
  load(): Promise<tf.io.ModelArtifacts>;
}

/** The weights split into files of at most `shardSizeBytes` (one weights.bin without it). */
function weightFiles(weights: ArrayBuffer, shardSizeBytes: number | undefined): { name: string; bytes: Uint8Array }[] {
  if (shardSizeBytes === undefined) return [{ name: WEIGHTS_BIN, bytes: new Uint8Array(weights) }];
  const count = Math.max(1, Math.ceil(weights.byteLength / shardSizeBytes));
  return Array.from({ length: count }, (_, i) => ({
    name: `group1-shard${i + 1}of${count}.bin`,
    bytes: new Uint8Array(weights, i * shardSizeBytes, Math.min(shardSizeBytes, weights.byteLength - i * shardSizeBytes)),
  }));
}

/**
 * An IOHandler reading and writing a model in the directory `path` (model.json + weights.bin, or
 * weight shards with `shardSizeBytes`), or at `path` itself if it ends in `.json` (weight files
 * next to it). Node only.
 *
 * Weights files named by the manifest must lie inside the folder of model.json (relative paths
 * without `..`); any other path is refused before a file is read. Any number of them loads.
 *
 * Each file is replaced atomically and fsynced (`writeFileAtomic` of `@resnext/layers/node-io`);
 * the weight files are written before model.json, so a reader that finds a new model.json also
 * finds its weights.
 *
 * @example
 * ```ts
 * await model.save(fileSystem('./web/model', { shardSizeBytes: 4 * 1024 * 1024 }));
 * const loaded = await tf.loadLayersModel(fileSystem('./web/model'));
 * ```
 */
export function fileSystem(path: string, options: FileSystemOptions = {}): FileSystemHandler {
  const { shardSizeBytes } = options;
  if (shardSizeBytes !== undefined && (!Number.isInteger(shardSizeBytes) || shardSizeBytes < 4)) {
    throw new RangeError(`file:// handler: shardSizeBytes must be an integer ≥ 4, got ${shardSizeBytes}`);
  }
  const jsonPath = modelJsonPath(path);
  const dir = dirname(jsonPath);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<FileSystemSaveResult> {
      const { fsp } = await nodeBuiltins();
      await fsp.mkdir(dir, { recursive: true });
      const files = weightFiles(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []), shardSizeBytes);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: files.map((f) => f.name), weights: artifacts.weightSpecs ?? [] }];
      await Promise.all(files.map((f) => writeFileAtomic(`${dir}/${f.name}`, f.bytes)));
      await writeFileAtomic(jsonPath, JSON.stringify(modelJsonOf(artifacts, manifest)));
      const jsonName = jsonPath.slice(Math.max(jsonPath.lastIndexOf('/'), jsonPath.lastIndexOf('\\')) + 1);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts), files: [...files.map((f) => f.name), jsonName] };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const { fsp } = await nodeBuiltins();
      const modelJson = JSON.parse(await fsp.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      if (modelJson.modelTopology === undefined || !Array.isArray(modelJson.weightsManifest)) {
        throw new Error(`file:// handler: ${jsonPath} has no modelTopology or weightsManifest; is it a tfjs model.json?`);
      }
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const file of group.paths) {
            if (!staysInside(file)) throw new Error(`file:// handler: ${jsonPath} names the weights file ${JSON.stringify(file)}, outside its folder`);
          }
          for (const file of group.paths) buffers.push(toArrayBuffer(await fsp.readFile(`${dir}/${file}`)));
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

function route(url: string | string[]): tf.io.IOHandler | null {
  return typeof url === 'string' && url.startsWith(SCHEME) ? fileSystem(url.slice(SCHEME.length)) : null;
}

/**
 * Makes tf.io route `file://` URLs to {@link fileSystem}, for `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')`. Does nothing if a `file://` handler is already
 * registered (by an earlier call or by tfjs-node), since tf.io refuses URLs with two handlers.
 *
 * @returns whether the routers were registered by this call.
 */
export function registerFileSystemRouter(): boolean {
  if (tf.io.getSaveHandlers(`${SCHEME}probe`).length > 0) return false;
  // tfjs types a router as always returning a handler, but its registry skips routers that return null.
  const router = route as Parameters<typeof tf.io.registerSaveRouter>[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
  return true;
}
