/**
 * The test's own HTTP server: the production build (dist/) plus files the test makes (images,
 * checkpoints), every response cross-origin isolated as a deployment of the demo would be.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from '@resnext/backends';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** A running server and its origin. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

async function fileAt(root: string, urlPath: string): Promise<string | undefined> {
  const relative = decodeURIComponent(urlPath).replace(/^\/+/, '') || 'index.html';
  const file = path.resolve(root, relative);
  // Nothing outside the root, whatever the URL says.
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() === true ? file : undefined;
}

/**
 * Serves `root` at `/` and each entry of `extra` at its URL path (e.g. `/files/a.png` → a file on
 * disk). Unknown paths are 404s, not the index page, so a wrong asset URL fails visibly.
 */
export async function startStaticServer(root: string, extra: ReadonlyMap<string, string> = new Map()): Promise<StaticServer> {
  const base = path.resolve(root);
  const server: Server = createServer((request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    const lookup = extra.has(urlPath) ? Promise.resolve(extra.get(urlPath)) : fileAt(base, urlPath);
    lookup.then(
      async (file) => {
        if (file === undefined || request.method !== 'GET') {
          response.writeHead(file === undefined ? 404 : 405, CROSS_ORIGIN_ISOLATION_HEADERS).end();
          return;
        }
        const { size } = await stat(file);
        response.writeHead(200, {
          ...CROSS_ORIGIN_ISOLATION_HEADERS,
          'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Content-Length': String(size),
          'Cache-Control': 'no-store',
        });
        createReadStream(file).pipe(response);
      },
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
