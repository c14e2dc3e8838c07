// The page side of the protocol against a scripted worker: answers matched by id whatever their
// order, events routed to their call, and every way a worker fails ending in a rejected promise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DownloadError } from '../download/errors.js';
import { toWireError } from './error_wire.js';
import { PROTOCOL, type WorkerRequest, type WorkerResponse } from './protocol.js';
import { WorkerChannel, type WorkerLike } from './worker_channel.js';
import { WorkerError } from './worker_error.js';

/** A worker whose answers the test sends by hand. */
class ScriptedWorker extends EventTarget implements WorkerLike {
  readonly received: (WorkerRequest | { type: 'hello' })[] = [];
  terminated = 0;
  refuse: Error | undefined;
  postMessage(message: WorkerRequest | { type: 'hello' }): void {
    if (this.refuse !== undefined) throw this.refuse;
    this.received.push(message);
  }
  terminate(): void {
    this.terminated++;
  }
  answer(message: WorkerResponse): void {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
  requests(): WorkerRequest[] {
    return this.received.filter((m): m is WorkerRequest => m.type !== 'hello');
  }
}

function started(): { worker: ScriptedWorker; channel: WorkerChannel } {
  const worker = new ScriptedWorker();
  const channel = new WorkerChannel(worker, 'https://app.example/worker.js', 0);
  worker.answer({ type: 'ready', protocol: PROTOCOL });
  return { worker, channel };
}

afterEach(() => vi.useRealTimers());

describe('WorkerChannel', () => {
  it('says hello, and resolves start on ready', async () => {
    const { worker, channel } = started();
    await channel.start();
    expect(worker.received[0]).toEqual({ type: 'hello', protocol: PROTOCOL });
  });

  it('matches answers to calls by id, in any order, and routes progress to its call', async () => {
    const { worker, channel } = started();
    const progress: number[] = [];
    const a = channel.call<'memory'>({ type: 'memory' });
    const b = channel.call<'load'>({ type: 'load', options: { backend: 'cpu', progress: true } }, [], { onProgress: (p) => progress.push(p.loaded) });
    const c = channel.call<'memory'>({ type: 'memory' });
    const [ia, ib, ic] = worker.requests().map((r) => r.id);
    expect(new Set([ia, ib, ic]).size).toBe(3);
    worker.answer({ type: 'result', id: ic!, value: { numTensors: 3, numBytes: 0, numDataBuffers: 0 } });
    worker.answer({ type: 'progress', id: ib!, progress: { loaded: 10, total: 20, url: 'u' } });
    worker.answer({ type: 'result', id: ia!, value: { numTensors: 1, numBytes: 0, numDataBuffers: 0 } });
    worker.answer({ type: 'error', id: ib!, error: toWireError(new DownloadError({ url: 'u', reason: 'http', status: 404, problem: 'HTTP 404' })) });
    expect((await a).numTensors).toBe(1);
    expect((await c).numTensors).toBe(3);
    await expect(b).rejects.toMatchObject({ name: 'DownloadError', status: 404 });
    await expect(b).rejects.toBeInstanceOf(DownloadError);
    expect(progress).toEqual([10]);
  });

  it('ignores messages that are not the protocol\'s, and answers for unknown ids', async () => {
    const { worker, channel } = started();
    const call = channel.call<'memory'>({ type: 'memory' });
    worker.answer({ type: 'result', id: 999, value: null });
    worker.dispatchEvent(new MessageEvent('message', { data: 'someone else\'s message' }));
    worker.answer({ type: 'result', id: worker.requests()[0]!.id, value: { numTensors: 5, numBytes: 0, numDataBuffers: 0 } });
    expect((await call).numTensors).toBe(5);
  });

  it('an error event before ready fails start with the message and terminates the worker', async () => {
    const worker = new ScriptedWorker();
    const channel = new WorkerChannel(worker, 'https://app.example/w.js', 0);
    worker.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'SyntaxError: Unexpected token', filename: 'https://app.example/w.js', lineno: 3 }));
    const error = await channel.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect(error).toMatchObject({ reason: 'start-failed', workerUrl: 'https://app.example/w.js' });
    expect((error as Error).message).toBe('classifier worker https://app.example/w.js: SyntaxError: Unexpected token (https://app.example/w.js:3)');
    expect(worker.terminated).toBe(1);
    await expect(channel.call({ type: 'memory' })).rejects.toBe(error);
  });

  it('a bare error event (a script that did not load) says what to check', async () => {
    const worker = new ScriptedWorker();
    const channel = new WorkerChannel(worker, 'https://app.example/missing.js', 0);
    worker.dispatchEvent(new Event('error'));
    await expect(channel.start()).rejects.toThrow(/missing\.js: the script could not be loaded/);
  });

  it('a worker that never says ready fails after startTimeoutMs', async () => {
    vi.useFakeTimers();
    const worker = new ScriptedWorker();
    const channel = new WorkerChannel(worker, 'https://app.example/other.js', 5000);
    const start = channel.start().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(4999);
    expect(worker.terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await start).toMatchObject({ name: 'WorkerError', reason: 'start-failed' });
    expect(((await start) as Error).message).toMatch(/did not start within 5000 ms/);
    expect(worker.terminated).toBe(1);
  });

  it('a worker of another protocol is refused', async () => {
    const worker = new ScriptedWorker();
    const channel = new WorkerChannel(worker, 'https://app.example/old.js', 0);
    worker.answer({ type: 'ready', protocol: 'resnext-pretrained-worker/0' });
    await expect(channel.start()).rejects.toThrow(/speaks protocol resnext-pretrained-worker\/0/);
  });

  it('close rejects calls in flight and later calls; errors after start belong to no call', async () => {
    const { worker, channel } = started();
    const inFlight = channel.call({ type: 'memory' });
    worker.dispatchEvent(new Event('error'));
    expect(channel.isClosed).toBe(false);
    const reason = new WorkerError({ reason: 'disposed', problem: 'disposed' });
    channel.close(reason);
    await expect(inFlight).rejects.toBe(reason);
    await expect(channel.call({ type: 'memory' })).rejects.toBe(reason);
    expect(worker.terminated).toBe(1);
  });

  it('a request that cannot be sent, and an answer that cannot be read, reject their calls', async () => {
    const { worker, channel } = started();
    worker.refuse = new DOMException('could not be cloned', 'DataCloneError');
    await expect(channel.call({ type: 'memory' })).rejects.toMatchObject({ name: 'WorkerError', reason: 'message-failed' });
    worker.refuse = undefined;
    const call = channel.call({ type: 'memory' });
    worker.dispatchEvent(new Event('messageerror'));
    await expect(call).rejects.toMatchObject({ reason: 'message-failed' });
  });
});
