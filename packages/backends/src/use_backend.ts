import { activateCpu } from './adapters/cpu.js';
import { activateNode, activateNodeGpu, activateTensorflow } from './adapters/tensorflow.js';
import type { Adapter, BackendName, UseBackendOptions } from './adapters/types.js';
import { activateWasm } from './adapters/wasm.js';
import { activateWebgl } from './adapters/webgl.js';
import { activateWebgpu } from './adapters/webgpu.js';
import { isNode } from './environment.js';
import { BackendUnavailableError } from './errors.js';
import { defaultImporter } from './importer.js';
import { backendInfo, type BackendInfo } from './info.js';

/** A backend name, or `auto` for the fastest one available. */
export type BackendRequest = BackendName | 'auto';

/** A backend `auto` tried and passed over, with the reason. */
export interface SkippedBackend {
  backend: BackendName;
  error: BackendUnavailableError;
}

/** What `useBackend` selected: the active backend's {@link BackendInfo} plus how it was chosen. */
export interface UseBackendResult extends BackendInfo {
  /** What the caller asked for. */
  requested: BackendRequest;
  /** Why this backend: the request, or for `auto` the order and what was skipped. */
  reason: string;
  /** `auto` only: backends tried before this one, in order (empty otherwise). */
  skipped: readonly SkippedBackend[];
  /**
   * `auto` in browsers: what went wrong in the app's setup on the way to this backend (each also
   * passed to `options.onWarning`, by default `console.warn`); empty when nothing did.
   */
  warnings: readonly string[];
}

const ADAPTERS: Record<BackendName, Adapter> = {
  cpu: activateCpu,
  wasm: activateWasm,
  webgl: activateWebgl,
  webgpu: activateWebgpu,
  tensorflow: activateTensorflow,
  node: activateNode,
  'node-gpu': activateNodeGpu,
};

/** `auto`'s order in Node: native TensorFlow on GPU, then on CPU, then multithreaded wasm, then cpu. */
export const NODE_AUTO_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];
/** `auto`'s order in browsers. */
export const BROWSER_AUTO_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

// Backend switches are global tfjs state: one at a time, in call order.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Imports the backend's package (an optional peer dependency), registers it, makes it tfjs'
 * active backend and waits until it is ready; returns what is running.
 *
 * A named backend that cannot run throws {@link BackendUnavailableError} naming the package to
 * install or what the runtime lacks; nothing else is selected in its place. `auto` tries
 * {@link NODE_AUTO_ORDER} or {@link BROWSER_AUTO_ORDER} and reports what it skipped and why.
 *
 * In Node, `wasm` runs multithreaded on `worker_threads` (`options.threads`, default: all
 * cores). Changing the thread count restarts the wasm backend, which frees its tensors.
 */
export function useBackend(request: BackendRequest = 'auto', options: UseBackendOptions = {}): Promise<UseBackendResult> {
  const run = queue.then(() => select(request, options));
  queue = run.catch(() => undefined);
  return run;
}

async function select(request: BackendRequest, options: UseBackendOptions): Promise<UseBackendResult> {
  const context = { options, importer: options.importer ?? defaultImporter };
  if (request !== 'auto') {
    const adapter = ADAPTERS[request] as Adapter | undefined;
    if (adapter === undefined) throw new RangeError(`Unknown backend '${String(request)}'; expected one of ${Object.keys(ADAPTERS).join(', ')} or auto`);
    const note = await adapter(context);
    return { ...backendInfo(), requested: request, reason: withNote(`requested ${request}`, note), skipped: [], warnings: [] };
  }
  const order = isNode() ? NODE_AUTO_ORDER : BROWSER_AUTO_ORDER;
  const skipped: SkippedBackend[] = [];
  for (const backend of order) {
    let note: string | undefined;
    try {
      note = await ADAPTERS[backend](context);
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      skipped.push({ backend, error });
      continue;
    }
    const passedOver = skipped.map((s) => `${s.backend} (${summary(s.error)})`).join(', ');
    const reason =
      `auto: ${backend} is the first available in ${order.join(' > ')}` + (passedOver === '' ? '' : `; skipped ${passedOver}`);
    const warnings = isNode() ? [] : setupWarnings(backend, skipped);
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    for (const warning of warnings) warn(warning);
    return { ...backendInfo(), requested: 'auto', reason: withNote(reason, note), skipped, warnings };
  }
  throw new BackendUnavailableError(
    `No backend is available: ${skipped.map((s) => `${s.backend}: ${s.error.message}`).join('; ')}`,
    { backend: 'auto', failure: skipped.at(-1)?.error.failure ?? 'init-failed', install: skipped.at(-1)?.error.install },
  );
}

/**
 * What `auto` should not pass over silently in a browser: a backend whose package is there but
 * failed to start (its .wasm files not served, say), and landing on cpu — seconds per image on a
 * ResNeXt — because a faster backend was not bundled. A browser that lacks WebGPU or WebGL 2 is
 * not a setup problem and gives no warning.
 */
export function setupWarnings(chosen: BackendName, skipped: readonly SkippedBackend[]): string[] {
  const warnings = skipped
    .filter((s) => s.error.failure === 'init-failed')
    .map((s) => `@resnext/backends: useBackend('auto') skipped ${s.backend}, which failed to start: ${s.error.message}`);
  const notBundled = skipped.filter((s) => s.error.failure === 'not-installed').map((s) => s.backend);
  if (chosen === 'cpu' && notBundled.length > 0) {
    warnings.push(
      `@resnext/backends: useBackend('auto') fell back to the cpu backend (slow) because ${notBundled.join(' and ')} ` +
        `could not be imported: ${skipped.filter((s) => s.error.failure === 'not-installed').map((s) => s.error.message).join(' ')}`,
    );
  }
  return warnings;
}

function withNote(reason: string, note: string | undefined): string {
  return note === undefined ? reason : `${reason} (${note})`;
}

function summary(error: BackendUnavailableError): string {
  if (error.failure === 'not-installed') return `${error.install ?? 'its package'} not installed`;
  if (error.failure === 'unsupported') return `no ${error.missing ?? 'support'}`;
  return error.message;
}
