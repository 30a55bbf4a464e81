/**
 * Covers lambdas/adapters/http-request.ts against a loopback node:http server: what is sent
 * (method, headers, body and its length), what is read (status, ok, headers by any case, the whole
 * body), kept-alive connections reused, redirects returned rather than followed, the body cap, the
 * signal covering the body too, and the failures (refused connection, a body cut off, a bad
 * protocol), each rejecting rather than resolving with half an answer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { HttpBodyTooLargeError, httpRequest } from '../../lambdas/adapters/http-request';
import {
  answerOversized,
  closeServer,
  listenOnLoopback,
  OVERSIZED_PATHS,
} from '../support/loopback-server';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: request.socket,
      });
      if (answerOversized(request.url, response)) return;
      switch (request.url) {
        case '/echo':
          response
            .writeHead(201, { 'Content-Type': 'application/json', 'Retry-After': '3' })
            .end('{"ok":"é"}');
          return;
        case '/refused':
          response.writeHead(409).end('{"message":"already answered"}');
          return;
        case '/redirect':
          response.writeHead(302, { location: '/echo' }).end();
          return;
        case '/slow-body':
          // Headers now, the body never: only a signal covering the body can end this.
          response.writeHead(200, { 'content-length': '10' });
          response.write('12345');
          return;
        case '/cut-off':
          response.writeHead(200, { 'content-length': '100' });
          response.write('only part of it', () => request.socket.destroy());
          return;
        default:
          response.writeHead(500).end();
      }
    });
  });
  base = await listenOnLoopback(server);
});

beforeEach(() => {
  seen.length = 0;
});

afterAll(async () => {
  await closeServer(server);
});

describe('httpRequest', () => {
  it('sends the method, headers and body, and reads status, headers and the whole body', async () => {
    const response = await httpRequest(`${base}/echo`, {
      method: 'POST',
      headers: { Authorization: 'token', 'Content-Type': 'application/json' },
      body: '{"note":"ü"}',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/echo', body: '{"note":"ü"}' });
    expect(seen[0].headers).toMatchObject({
      authorization: 'token',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"note":"ü"}')),
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('x-absent')).toBeNull();
    await expect(response.text()).resolves.toBe('{"ok":"é"}');
  });

  it('resolves a refusal as it is, ok false, its body readable', async () => {
    const response = await httpRequest(`${base}/refused`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(409);
    expect(response.ok).toBe(false);
    await expect(response.text()).resolves.toBe('{"message":"already answered"}');
  });

  it('reuses a kept-alive connection for the next request', async () => {
    await httpRequest(`${base}/echo`, { method: 'GET' });
    await httpRequest(`${base}/echo`, { method: 'GET' });
    expect(seen).toHaveLength(2);
    expect(seen[1].socket).toBe(seen[0].socket);
  });

  it('returns a redirect instead of following it', async () => {
    const response = await httpRequest(`${base}/redirect`, { method: 'GET' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/echo');
    expect(seen.map((request) => request.url)).toEqual(['/redirect']);
  });

  it.each(OVERSIZED_PATHS)('refuses a body over the cap (%s)', async (path) => {
    await expect(httpRequest(`${base}${path}`, { method: 'GET' }, 1024)).rejects.toBeInstanceOf(
      HttpBodyTooLargeError,
    );
  });

  it('rejects with the signal’s reason when it fires before the body has all come', async () => {
    await expect(
      httpRequest(`${base}/slow-body`, { method: 'GET', signal: AbortSignal.timeout(200) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('sends nothing when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      httpRequest(`${base}/echo`, { method: 'POST', body: '{}', signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });

  it('rejects a body cut off before its end', async () => {
    await expect(httpRequest(`${base}/cut-off`, { method: 'GET' })).rejects.toThrow();
  });

  it('rejects a refused connection with Node’s code', async () => {
    const closed = createServer();
    const url = await listenOnLoopback(closed);
    await closeServer(closed);
    await expect(httpRequest(`${url}/`, { method: 'GET' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('refuses a protocol other than http and https', async () => {
    await expect(httpRequest('ftp://127.0.0.1/x', { method: 'GET' })).rejects.toBeInstanceOf(
      TypeError,
    );
  });
});
