/**
 * A small HTTP server on 127.0.0.1 (ephemeral port) for download tests: serves given bytes,
 * honours Range requests (206, 416) and If-Range, and can misbehave on demand as hostile or broken
 * servers do (HTTP errors, a connection cut after N bytes, a stall, a wrong Content-Length, a wrong
 * or short 206, a slow but steady body, an HTML page, an endless body, redirects). It records every
 * request and closes itself after the test file (call {@link startLoopbackServer} at the top level
 * of a test file).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** How to answer one request instead of serving it normally. */
type Misbehaviour =
  /** Answer with this status and a short text body. */
  | { status: number }
  /**
   * Send the headers (announcing the full length) and this many body bytes, then destroy the
   * connection, after `when` resolves if given. (A client drops bytes it has received but not yet
   * read when the connection dies, so a test that needs them read waits for its progress first.)
   */
  | { cutAfter: number; when?: Promise<void> }
  /** Send this many body bytes, then wait: until `resume` resolves (then finish normally), or for ever. */
  | { stallAfter: number; resume?: Promise<void> }
  /** Announce this Content-Length, send the whole body, then close the connection. */
  | { contentLength: number }
  /**
   * Answer 206 with `Content-Range: bytes start-end/total` and bytes start..end (inclusive) of the
   * body, whatever range was asked for: a wrong 206 (`start` not the one asked for) or a short one
   * (`end` before `total - 1`).
   */
  | { partial: { start: number; end: number; total: number } }
  /** Send the body `chunkBytes` at a time, one chunk every `everyMs`: slow but steady. */
  | { slow: { chunkBytes: number; everyMs: number } }
  /** Answer 200 with an HTML page (a captive portal, a login page), whatever was asked for. */
  | { html: string }
  /** Answer 200 without a Content-Length and send bytes until the client goes away. */
  | { endless: true }
  /** Answer 200 chunked (no Content-Length) with only the first `bytes` bytes of the body: a truncated body that ends cleanly. */
  | { chunkedPrefix: number }
  /** Answer 302 to this path (on this server). */
  | { redirectTo: string };

/** How a path is served. */
interface RouteOptions {
  /** One per request, in order, for the first requests of this path; later ones are served normally. */
  misbehave?: Misbehaviour[];
  /** Answer 200 with the whole body even to a Range request, as some servers do. */
  ignoreRange?: boolean;
  /** A strong ETag to send; a Range request whose If-Range differs gets the whole body (200). */
  etag?: string;
  /** Size of the body writes. Default 16 KiB. */
  chunkBytes?: number;
  /** Answer every request of this path (after the `misbehave` list) with a 302 to this path: a redirect loop when it is the path itself. */
  redirectTo?: string;
}

/** What the server saw of a request. */
interface RecordedRequest {
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers with a misbehaviour that replaces the normal answer entirely; false for those that only alter it. */
async function answerOddly(route: Route, misbehaviour: Misbehaviour, response: http.ServerResponse): Promise<boolean> {
  const { body } = route;
  const octets = { 'content-type': 'application/octet-stream' };
  if ('status' in misbehaviour) {
    response.writeHead(misbehaviour.status, { 'content-type': 'text/plain' }).end(`status ${misbehaviour.status}`);
  } else if ('redirectTo' in misbehaviour) {
    response.writeHead(302, { location: misbehaviour.redirectTo }).end();
  } else if ('html' in misbehaviour) {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(misbehaviour.html)) }).end(misbehaviour.html);
  } else if ('contentLength' in misbehaviour) {
    response.writeHead(200, { ...octets, 'content-length': String(misbehaviour.contentLength) });
    response.flushHeaders();
    response.socket?.write(body); // past Node's own length bookkeeping, as a broken server would
    response.socket?.end();
  } else if ('partial' in misbehaviour) {
    const { start, end, total } = misbehaviour.partial;
    response.writeHead(206, { ...octets, 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': String(end - start + 1) });
    response.end(body.subarray(start, end + 1));
  } else if ('slow' in misbehaviour) {
    const { chunkBytes, everyMs } = misbehaviour.slow;
    response.writeHead(200, { ...octets, 'content-length': String(body.byteLength) });
    for (let at = 0; at < body.byteLength; at += chunkBytes) {
      if (!(await write(response, body.subarray(at, at + chunkBytes)))) return true;
      await sleep(everyMs);
    }
    response.end();
  } else if ('endless' in misbehaviour) {
    response.writeHead(200, octets);
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    while (await write(response, chunk)) await sleep(0);
  } else if ('chunkedPrefix' in misbehaviour) {
    response.writeHead(200, { ...octets, 'transfer-encoding': 'chunked' });
    response.end(body.subarray(0, misbehaviour.chunkedPrefix));
  } else return false;
  return true;
}

async function answer(route: Route, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const misbehaviour = route.pending.shift() ?? (route.options.redirectTo === undefined ? undefined : { redirectTo: route.options.redirectTo });
  if (misbehaviour !== undefined && (await answerOddly(route, misbehaviour, response))) return;
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

  const cut = misbehaviour !== undefined && 'cutAfter' in misbehaviour ? misbehaviour : undefined;
  const stall = misbehaviour !== undefined && 'stallAfter' in misbehaviour ? misbehaviour : undefined;
  const limit = cut?.cutAfter ?? stall?.stallAfter ?? Infinity;
  const chunkBytes = options.chunkBytes ?? 16 * 1024;
  let at = start;
  let sent = 0;
  while (at <= end) {
    if (sent >= limit) {
      if (cut !== undefined) {
        await cut.when;
        response.socket?.destroy();
        return;
      }
      if (stall?.resume === undefined) return; // stalled for good: closed by close()
      await stall.resume;
    }
    const n = Math.min(chunkBytes, end + 1 - at, sent < limit ? limit - sent : Infinity);
    if (!(await write(response, body.subarray(at, at + n)))) return;
    at += n;
    sent += n;
  }
  if (cut !== undefined && sent >= limit) {
    await cut.when;
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
