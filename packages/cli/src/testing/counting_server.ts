// A loopback HTTP server that answers every request with 404 and counts them: used as
// RESNEXT_MIRROR in tests, to make downloads fail fast and to see whether any was attempted.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startCountingServer}. */
export interface CountingServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The paths requested so far, in order. */
  paths: string[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startCountingServer(): Promise<CountingServer> {
  const paths: string[] = [];
  const server = http.createServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
