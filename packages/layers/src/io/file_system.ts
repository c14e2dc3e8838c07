/**
 * A Node-only `file://` IOHandler for tf.io, as tfjs-node provides (which cannot be installed
 * everywhere): `model.save('file:///dir')` writes dir/model.json + dir/weights.bin;
 * `tf.loadLayersModel('file:///dir/model.json')` reads them back.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The part of `node:fs/promises` used here, typed locally so the library builds without @types/node. */
interface NodeFs {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
}

// A specifier in a variable, and the bundler-ignore comments, keep browser bundlers (webpack,
// Vite, esbuild) from trying to resolve a Node built-in they cannot bundle: this module stays
// importable in a browser, and fails only if a file:// handler is actually used there.
const NODE_FS = 'node:fs/promises';
async function nodeFs(): Promise<NodeFs> {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS)) as NodeFs;
}

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

/**
 * Writes `data` to `path` atomically: to a temporary file in the same directory, then renamed
 * over `path` (rename within a file system is atomic), so a reader never sees half a file.
 */
async function writeAtomically(fs: NodeFs, path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(temporary, data);
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
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

/**
 * An IOHandler reading and writing a model in the directory `path` (model.json + weights.bin),
 * or at `path` itself if it ends in `.json` (weights.bin next to it). Node only.
 *
 * Weights files named by the manifest must lie inside the folder of model.json (relative paths
 * without `..`); any other path is refused before a file is read.
 *
 * Each file is replaced atomically; weights.bin is written before model.json, so a reader that
 * finds a new model.json also finds its weights.
 */
export function fileSystem(path: string): tf.io.IOHandler {
  const jsonPath = modelJsonPath(path);
  const dir = dirname(jsonPath);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await nodeFs();
      await fs.mkdir(dir, { recursive: true });
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      await writeAtomically(fs, `${dir}/${WEIGHTS_BIN}`, new Uint8Array(weights));
      await writeAtomically(fs, jsonPath, JSON.stringify(modelJsonOf(artifacts, manifest)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = await nodeFs();
      const modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
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
          for (const file of group.paths) buffers.push(toArrayBuffer(await fs.readFile(`${dir}/${file}`)));
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
