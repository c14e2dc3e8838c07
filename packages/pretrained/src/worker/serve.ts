/**
 * `@resnext/pretrained/worker/serve`: the worker side of `loadInWorker`, for apps that write their
 * own worker script — to bundle only some backends, or to do more in the same worker.
 */
import { PROTOCOL, type WorkerResponse } from './protocol.js';
import { createWorkerServer } from './worker_server.js';

// Typed by shape: the package compiles against the DOM library, where `self` is a Window.
interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
}

let serving = false;

/**
 * Serves `loadInWorker` requests in the current Web Worker: call it once, at the top level of a
 * module worker script, after importing the `@resnext/backends/<backend>` entries the worker may
 * select. Messages that are not the classifier's are left to other listeners.
 *
 * @example
 * ```ts
 * // classifier.worker.ts
 * import '@resnext/backends/wasm';
 * import { serveClassifier } from '@resnext/pretrained/worker/serve';
 * serveClassifier();
 *
 * // page
 * const worker = new Worker(new URL('./classifier.worker.ts', import.meta.url), { type: 'module' });
 * const classifier = await loadInWorker({ model: 'resnext_fmnist', backend: 'wasm', worker });
 * ```
 */
export function serveClassifier(): void {
  if (serving) return;
  serving = true;
  const scope = globalThis as unknown as WorkerScope;
  const server = createWorkerServer(scope);
  scope.addEventListener('message', (event) => server.receive(event.data));
  // Announced now as well as in answer to the page's hello: a page that created this worker hears
  // this one, and a hello sent before this listener existed can be lost — some bundlers' dev
  // servers start a module worker through a wrapper script that imports the real one later.
  scope.postMessage({ type: 'ready', protocol: PROTOCOL }, []);
}
