/** A node:http server on a free loopback port for the tests of the functions' HTTP clients. */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 at a free port; resolves with the server's base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and every connection it holds (kept-alive ones too). */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/** The paths `answerOversized` serves: bodies over a 1024-byte cap, declared or only counted. */
export const OVERSIZED_PATHS = ['/declared-large', '/streamed-large'] as const;

/**
 * Answers an `OVERSIZED_PATHS` request (2048 bytes with their content-length; 4096 chunked, with
 * none, so only counting the bytes read can catch it) and returns true; false for any other path.
 */
export function answerOversized(path: string | undefined, response: ServerResponse): boolean {
  if (path === '/declared-large') {
    response.writeHead(200, { 'content-length': '2048' }).end('x'.repeat(2048));
    return true;
  }
  if (path === '/streamed-large') {
    response.writeHead(200);
    for (let i = 0; i < 8; i += 1) response.write('y'.repeat(512));
    response.end();
    return true;
  }
  return false;
}
