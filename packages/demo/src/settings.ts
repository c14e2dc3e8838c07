/** The model form's state, and the `loadInWorker` options it stands for. */
import type { BackendRequest } from '@resnext/backends';
import type { WorkerLoadOptions } from '@resnext/pretrained/worker';
import { SettingsError } from './errors.js';

/** Which network the page loads. */
export type ModelChoice = 'fmnist' | 'resnext50';

/** What the user chose in the model form. */
export interface DemoSettings {
  model: ModelChoice;
  /** ResNeXt-50: a checkpoint URL ('' when none). */
  weightsUrl: string;
  /** ResNeXt-50: a local checkpoint file (wins over the URL). */
  weightsFile: File | undefined;
  backend: BackendRequest;
  threads: number;
}

const BACKENDS: readonly BackendRequest[] = ['auto', 'wasm', 'webgl', 'webgpu', 'cpu'];

/** Narrows a `<select>` value to a backend request. */
export function parseBackend(value: string): BackendRequest {
  const backend = BACKENDS.find((b) => b === value);
  if (backend === undefined) throw new SettingsError(`unknown backend "${value}"; expected one of ${BACKENDS.join(', ')}`);
  return backend;
}

/** Whether the thread count matters: wasm, or auto (which may end on wasm). */
export function usesThreads(backend: BackendRequest): boolean {
  return backend === 'wasm' || backend === 'auto';
}

function checkpointUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text, location.href);
  } catch {
    throw new SettingsError(`"${text}" is not a URL`);
  }
  if (!/^(https?|blob|data):$/.test(url.protocol)) throw new SettingsError(`checkpoint URLs must be http(s), got ${url.protocol}`);
  return url.href;
}

/**
 * The options of `loadInWorker` for the form's state. `fmnistWeightsUrl` is the Fashion-MNIST
 * weights file as the bundler emitted it: the record's own `bundled:` source points into the
 * installed package, which a built page does not serve.
 */
export function workerLoadOptions(settings: DemoSettings, fmnistWeightsUrl: string): WorkerLoadOptions {
  const runtime: WorkerLoadOptions = { backend: settings.backend };
  if (usesThreads(settings.backend)) runtime.threads = settings.threads;
  if (settings.model === 'fmnist') return { ...runtime, model: 'resnext_fmnist.full_fmnist', weights: fmnistWeightsUrl };
  const options: WorkerLoadOptions = { ...runtime, model: 'resnext50_32x4d' };
  // Neither given: the registry's default weights (torchvision's tv2_in1k), downloaded once and
  // kept in the Cache API.
  if (settings.weightsFile !== undefined) options.weights = settings.weightsFile;
  else if (settings.weightsUrl.trim() !== '') options.weights = checkpointUrl(settings.weightsUrl.trim());
  return options;
}
