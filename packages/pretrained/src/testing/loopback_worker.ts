// Node tests: a stand-in for a Web Worker that runs the classifier's server in the same thread.
// Messages cross through structuredClone with their transfer lists, asynchronously, as they do
// between a page and a worker, so detached buffers and non-cloneable values behave as in browsers.
import type { WorkerRequest, WorkerResponse } from '../worker/protocol.js';
import { createWorkerServer, type WorkerServer, type WorkerServerDeps } from '../worker/worker_server.js';
import type { WorkerLike } from '../worker/worker_channel.js';

/** A worker whose "script" is the classifier server; `terminated` and `sent` are for assertions. */
export class LoopbackWorker extends EventTarget implements WorkerLike {
  terminated = false;
  readonly sent: unknown[] = [];
  readonly server: WorkerServer;

  constructor(deps?: WorkerServerDeps, options: { announce?: boolean } = {}) {
    super();
    this.server = createWorkerServer(
      {
        postMessage: (message: WorkerResponse, transfer: Transferable[]) => {
          const data = structuredClone(message, { transfer });
          setTimeout(() => {
            if (!this.terminated) this.dispatchEvent(new MessageEvent('message', { data }));
          }, 0);
        },
      },
      deps,
    );
    if (options.announce ?? true) this.server.receive({ type: 'hello' });
  }

  postMessage(message: WorkerRequest | { type: 'hello' }, transfer: Transferable[]): void {
    if (this.terminated) return;
    this.sent.push(message);
    const data: unknown = structuredClone(message, { transfer });
    setTimeout(() => {
      if (!this.terminated) this.server.receive(data);
    }, 0);
  }

  terminate(): void {
    this.terminated = true;
  }
}
