/**
 * A plain static file server for a bundle, cross-origin isolated (COOP/COEP on every response, so
 * wasm threads get SharedArrayBuffer), with extra routes for the test's own files.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

/** A running server: its origin and a way to stop it. */
export interface StaticServer {
  origin: string;
  /** Paths requested that had no file (HTTP 404), in order. */
  notFound: string[];
  close(): Promise<void>;
}

/** Serves `root`, plus `routes` (path → bytes) that take precedence, on a free loopback port. */
export async function serveStatic(root: string, routes: ReadonlyMap<string, Uint8Array | string>): Promise<StaticServer> {
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const routed = routes.get(pathname);
    const file = path.join(root, path.normalize(pathname));
    let body: Uint8Array | string | undefined = routed;
    if (body === undefined && file.startsWith(root + path.sep) && statSync(file, { throwIfNoEntry: false })?.isFile()) body = readFileSync(file);
    if (body === undefined) {
      notFound.push(pathname);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(pathname)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    notFound,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
