// Hostile HTTP servers for the download cases: one node:http server on 127.0.0.1 (ephemeral port)
// whose paths answer in a chosen way — well, or broken as real servers, proxies and captive
// portals are. Each case starts its own inside run() and closes it when done.
import * as http from 'node:http';

/**
 * A complete safetensors file of exactly `size` bytes (one U8 tensor of pseudo-random bytes):
 * what a download without a digest must look like to be accepted.
 */
export function safetensors(size, seed = 1) {
  let headerLength = 0;
  let header = '';
  for (let settled = false; !settled; ) {
    const data = size - 8 - headerLength;
    header = JSON.stringify({ w: { dtype: 'U8', shape: [data], data_offsets: [0, data] } });
    const padded = Math.ceil(header.length / 8) * 8;
    settled = padded === headerLength;
    headerLength = padded;
  }
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i += 1) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(new TextEncoder().encode(header.padEnd(headerLength, ' ')), 8);
  return out;
}

const octets = { 'content-type': 'application/octet-stream' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const write = (res, chunk) => new Promise((resolve) => (res.destroyed ? resolve(false) : res.write(chunk, (error) => resolve(!error))));

/** Ways to answer a request: each `(body) => handler(req, res)`. */
export const modes = {
  /** The body, whole, with its Content-Length. */
  ok: (body) => (_req, res) => res.writeHead(200, { ...octets, 'content-length': String(body.byteLength) }).end(body),
  /** Announces the whole length, sends `after` bytes, then drops the connection. */
  drop: (body, after) => (_req, res) => {
    res.writeHead(200, { ...octets, 'content-length': String(body.byteLength) });
    res.write(body.subarray(0, after), () => res.socket?.destroy());
  },
  /** Announces `length` bytes, sends the body (fewer), then closes. */
  wrongLength: (body, length) => (_req, res) => {
    res.writeHead(200, { ...octets, 'content-length': String(length) });
    res.flushHeaders();
    res.socket?.end(body);
  },
  /** Answers 206 with `Content-Range: bytes start-end/total` and those bytes, whatever was asked. */
  partial: (body, start, end, total = body.byteLength) => (_req, res) => {
    res.writeHead(206, { ...octets, 'content-range': `bytes ${start}-${end}/${total}`, 'content-length': String(end - start + 1) });
    res.end(body.subarray(start, end + 1));
  },
  /** Sends the headers, then nothing, for ever. */
  stall: (body) => (_req, res) => {
    res.writeHead(200, { ...octets, 'content-length': String(body.byteLength) });
    res.flushHeaders();
  },
  /** Sends `chunk` bytes every `everyMs`: never silent, never done in time. */
  slow: (body, chunk, everyMs) => async (_req, res) => {
    res.writeHead(200, { ...octets, 'content-length': String(body.byteLength) });
    for (let at = 0; at < body.byteLength; at += chunk) {
      if (!(await write(res, body.subarray(at, at + chunk)))) return;
      await sleep(everyMs);
    }
    res.end();
  },
  /** 302 to `location` (the path itself makes a loop). */
  redirect: (location) => (_req, res) => res.writeHead(302, { location }).end(),
  /** A captive portal's sign-in page, with status 200. */
  html: () => (_req, res) => {
    const page = '<!DOCTYPE html><html><head><title>Wi-Fi</title></head><body>Please sign in</body></html>';
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(page)) }).end(page);
  },
  /** No Content-Length, and bytes until the client leaves. */
  endless: () => async (_req, res) => {
    res.writeHead(200, octets);
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    while (await write(res, chunk)) await sleep(0);
  },
  /** Announces `length` bytes (any size), sends a little, then waits. */
  announce: (length) => (_req, res) => {
    res.writeHead(200, { ...octets, 'content-length': String(length) });
    res.write(new Uint8Array(1024));
  },
  /** Chunked, only the first `bytes` bytes of the body, ended cleanly. */
  chunkedPrefix: (body, bytes) => (_req, res) => {
    res.writeHead(200, { ...octets, 'transfer-encoding': 'chunked' });
    res.end(body.subarray(0, bytes));
  },
};

/**
 * Starts a server whose `routes` map a path to a handler (from {@link modes}); unknown paths get
 * 404. Returns `url(path)`, `count(path)` (requests seen) and `close()`.
 */
export async function startServer(routes) {
  const seen = new Map();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    const handler = routes[path];
    if (handler === undefined) return void res.writeHead(404).end('not found');
    Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** Where the disk cache keeps a path of this server, relative to the cache directory. */
    hostDir: `127.0.0.1%3A${server.address().port}`,
    url: (path) => `${origin}${path}`,
    count: (path) => seen.get(path) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs `body(server)` with a server over `routes`, closing it after. */
export async function withServer(routes, body) {
  const server = await startServer(routes);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}
