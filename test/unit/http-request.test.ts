/**
 * Covers lambdas/adapters/http-request.ts against a loopback node:http server: what is sent
 * (method, headers, a User-Agent, body and its length), what is read (status, ok, headers by any
 * case, the whole body), kept-alive connections reused on its own agent and closed after 5 s idle
 * (never while a request runs on them), redirects returned rather than followed, the body cap, the
 * signal covering the body too, and the failures: before the headers the request rejects (refused
 * connection, a signal, a bad protocol); after them the status stands and `text()` rejects (a body
 * cut off, over the cap, or too slow), never resolving with half an answer. No abort listener is
 * left on the caller's signal.
 */
import { getEventListeners } from 'node:events';
import http, { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import {
  HttpBodyTooLargeError,
  httpRequest,
  USER_AGENT,
} from '../../lambdas/adapters/http-request';
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
/** The server's ends of connections that have closed. */
const closedSockets = new Set<Socket>();

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
        case '/bom':
          response.writeHead(200).end('\uFEFF{"a":1}');
          return;
        case '/declared-only':
          // Declares too much, sends a little, then waits: only the declared length tells.
          response.writeHead(200, { 'content-length': '2048' });
          response.write('0123456789');
          return;
        case '/hang':
          return; // never answers
        case '/slow':
          setTimeout(() => {
            response.writeHead(200).end('late');
          }, 5_500);
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
  // The server keeps idle connections far longer than the client: only the client closes them here.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    socket.on('close', () => closedSockets.add(socket));
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
      'user-agent': USER_AGENT,
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

  it('reuses a kept-alive connection of its own agent for the next request', async () => {
    await (await httpRequest(`${base}/echo`, { method: 'GET' })).text();
    await (await httpRequest(`${base}/echo`, { method: 'GET' })).text();
    expect(seen).toHaveLength(2);
    expect(seen[1].socket).toBe(seen[0].socket);
    // Not Node's global agent (which keeps connections alive too, on Node 20).
    expect({ ...http.globalAgent.sockets, ...http.globalAgent.freeSockets }).toEqual({});
  });

  it('closes a connection idle for 5 s, while a request running longer than that completes', async () => {
    const slow = httpRequest(`${base}/slow`, { method: 'GET' });
    // The slow request holds one connection, so this one opens another, then leaves it idle.
    await (await httpRequest(`${base}/echo`, { method: 'GET' })).text();
    const idle = seen.find((request) => request.url === '/echo')?.socket;
    const response = await slow;
    await expect(response.text()).resolves.toBe('late');
    expect(idle).toBeDefined();
    expect(closedSockets.has(idle as Socket)).toBe(true);
    const busy = seen.find((request) => request.url === '/slow')?.socket;
    expect(closedSockets.has(busy as Socket)).toBe(false);
  }, 15_000);

  it('returns a redirect instead of following it', async () => {
    const response = await httpRequest(`${base}/redirect`, { method: 'GET' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/echo');
    expect(seen.map((request) => request.url)).toEqual(['/redirect']);
  });

  it('drops a leading byte order mark from the body, as fetch does', async () => {
    await expect((await httpRequest(`${base}/bom`, { method: 'GET' })).text()).resolves.toBe(
      '{"a":1}',
    );
  });

  it.each(OVERSIZED_PATHS)(
    'keeps the status of a body over the cap, whose text() rejects (%s)',
    async (path) => {
      const response = await httpRequest(`${base}${path}`, { method: 'GET' }, 1024);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toBeInstanceOf(HttpBodyTooLargeError);
    },
  );

  it('refuses a body on its declared length alone, without waiting for it', async () => {
    const response = await httpRequest(
      `${base}/declared-only`,
      { method: 'GET', signal: AbortSignal.timeout(5000) },
      1024,
    );
    await expect(response.text()).rejects.toBeInstanceOf(HttpBodyTooLargeError);
  });

  it('rejects with the signal’s reason when it fires before the headers', async () => {
    const signal = AbortSignal.timeout(200);
    await expect(httpRequest(`${base}/hang`, { method: 'GET', signal })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('keeps the status when the signal fires before the body has all come; text() rejects', async () => {
    const signal = AbortSignal.timeout(200);
    const response = await httpRequest(`${base}/slow-body`, { method: 'GET', signal });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('leaves no listener on the signal once the body is read', async () => {
    const signal = AbortSignal.timeout(5000);
    await (await httpRequest(`${base}/echo`, { method: 'GET', signal })).text();
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
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

  it('keeps the status of a body cut off before its end; text() rejects', async () => {
    const response = await httpRequest(`${base}/cut-off`, { method: 'GET' });
    expect(response.status).toBe(200);
    const failure: unknown = await response.text().then(
      () => undefined,
      (error: unknown) => error,
    );
    // Node's own error for a connection gone mid-body ("aborted"), or this module's fallback.
    expect(failure).toMatchObject({
      name: 'Error',
      message: expect.stringMatching(/aborted|cut off/),
    });
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
