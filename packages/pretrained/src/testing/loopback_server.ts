/**
 * A small HTTP server on 127.0.0.1 (ephemeral port) for download tests: serves given bytes,
 * honours Range requests (206, 416) and If-Range, and can misbehave on demand (HTTP errors, a
 * connection cut after N bytes, a stall). It records every request and closes itself after the
 * test file (call {@link startLoopbackServer} at the top level of a test file).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** How to answer one request instead of serving it normally. */
export type Misbehaviour =
  /** Answer with this status and a short text body. */
  | { status: number }
  /**
   * Send the headers (announcing the full length) and this many body bytes, then destroy the
   * connection, after `when` resolves if given. (A client drops bytes it has received but not yet
   * read when the connection dies, so a test that needs them read waits for its progress first.)
   */
  | { cutAfter: number; when?: Promise<void> }
  /** Send this many body bytes, then wait: until `resume` resolves (then finish normally), or for ever. */
  | { stallAfter: number; resume?: Promise<void> };

/** How a path is served. */
export interface RouteOptions {
  /** One per request, in order, for the first requests of this path; later ones are served normally. */
  misbehave?: Misbehaviour[];
  /** Answer 200 with the whole body even to a Range request, as some servers do. */
  ignoreRange?: boolean;
  /** A strong ETag to send; a Range request whose If-Range differs gets the whole body (200). */
  etag?: string;
  /** Size of the body writes. Default 16 KiB. */
  chunkBytes?: number;
}

/** What the server saw of a request. */
export interface RecordedRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
}

/** A running loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The absolute URL of a path (which starts with `/`). */
  url(path: string): string;
  /** Serves `body` at `path` (replacing an earlier route and its misbehaviours). */
  serve(path: string, body: Uint8Array, options?: RouteOptions): void;
  /** Requests received for `path`, in order. */
  requests(path: string): RecordedRequest[];
  /** Number of requests received for `path`. */
  count(path: string): number;
  close(): Promise<void>;
}

interface Route {
  body: Uint8Array;
  options: RouteOptions;
  pending: Misbehaviour[];
}

/** Writes and waits until the bytes are handed to the socket; false if the connection is gone. */
function write(response: http.ServerResponse, chunk: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    if (response.destroyed) resolve(false);
    else response.write(chunk, (error) => resolve(error === undefined || error === null));
  });
}

/** `bytes=S-` or `bytes=S-E` → [S, E] (E inclusive, clamped); undefined if absent or unsupported. */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header ?? '');
  if (m === null) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return [start, end];
}

async function answer(route: Route, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const misbehaviour = route.pending.shift();
  if (misbehaviour !== undefined && 'status' in misbehaviour) {
    response.writeHead(misbehaviour.status, { 'content-type': 'text/plain' }).end(`status ${misbehaviour.status}`);
    return;
  }
  const { body, options } = route;
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
  if (options.etag !== undefined) headers.etag = options.etag;
  const ifRange = request.headers['if-range'];
  const rangeAllowed = !options.ignoreRange && (ifRange === undefined || ifRange === options.etag);
  const range = rangeAllowed ? parseRange(request.headers.range, body.byteLength) : undefined;
  let [start, end] = [0, body.byteLength - 1];
  if (range !== undefined) {
    if (range[0] >= body.byteLength) {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${body.byteLength}` }).end();
      return;
    }
    [start, end] = range;
    headers['content-range'] = `bytes ${start}-${end}/${body.byteLength}`;
  }
  headers['content-length'] = String(end - start + 1);
  response.writeHead(range === undefined ? 200 : 206, headers);

  const limit = misbehaviour === undefined ? Infinity : 'cutAfter' in misbehaviour ? misbehaviour.cutAfter : misbehaviour.stallAfter;
  const chunkBytes = options.chunkBytes ?? 16 * 1024;
  let at = start;
  let sent = 0;
  while (at <= end) {
    if (sent >= limit && misbehaviour !== undefined) {
      if ('cutAfter' in misbehaviour) {
        await misbehaviour.when;
        response.socket?.destroy();
        return;
      }
      if (misbehaviour.resume === undefined) return; // stalled for good: closed by close()
      await misbehaviour.resume;
    }
    const n = Math.min(chunkBytes, end + 1 - at, sent < limit ? limit - sent : Infinity);
    if (!(await write(response, body.subarray(at, at + n)))) return;
    at += n;
    sent += n;
  }
  if (misbehaviour !== undefined && 'cutAfter' in misbehaviour && sent >= limit) {
    await misbehaviour.when;
    response.socket?.destroy();
  } else response.end();
}

/** Starts a server on 127.0.0.1 with an ephemeral port; it is closed in `afterAll`. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, Route>();
  const seen: RecordedRequest[] = [];
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    seen.push({ path, range: header('range'), ifRange: header('if-range') });
    const route = routes.get(path);
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    answer(route, request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  afterAll(close);
  return {
    origin,
    url: (path) => `${origin}${path}`,
    serve(path, body, options = {}) {
      routes.set(path, { body, options, pending: [...(options.misbehave ?? [])] });
    },
    requests: (path) => seen.filter((r) => r.path === path),
    count: (path) => seen.filter((r) => r.path === path).length,
    close,
  };
}
