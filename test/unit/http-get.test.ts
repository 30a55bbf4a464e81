/**
 * Covers lambdas/adapters/http-get.ts against a loopback node:http server: status and body pass
 * through, redirects are refused rather than followed, bodies over the cap are refused (declared
 * or streamed), and a server that never answers is cut off by the timeout.
 * Leaves which URLs may be fetched (the SNS host policy) to test/unit/sns-verifier-policy.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { createHttpGet, httpGet, HttpRedirectRefusedError } from '../../lambdas/adapters/http-get';
import { HttpBodyTooLargeError } from '../../lambdas/adapters/http-request';
import {
  answerOversized,
  closeServer,
  listenOnLoopback,
  OVERSIZED_PATHS,
} from '../support/loopback-server';

let server: Server;
let base: string;
const followed: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (answerOversized(request.url, response)) return;
    switch (request.url) {
      case '/cert.pem':
        response
          .writeHead(200, { 'content-type': 'text/plain' })
          .end('-----BEGIN CERTIFICATE-----\n');
        return;
      case '/missing':
        response.writeHead(404).end('nope');
        return;
      case '/redirect':
        response.writeHead(302, { location: '/target' }).end();
        return;
      case '/target':
        followed.push('/target');
        response.writeHead(200).end('followed');
        return;
      case '/hang':
        return; // never answers
      default:
        response.writeHead(500).end();
    }
  });
  base = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
});

describe('httpGet', () => {
  it('returns status and body', async () => {
    await expect(httpGet(`${base}/cert.pem`, { timeoutMs: 2000 })).resolves.toEqual({
      status: 200,
      body: '-----BEGIN CERTIFICATE-----\n',
    });
    await expect(httpGet(`${base}/missing`, { timeoutMs: 2000 })).resolves.toEqual({
      status: 404,
      body: 'nope',
    });
  });

  it('refuses a redirect instead of following it', async () => {
    await expect(httpGet(`${base}/redirect`, { timeoutMs: 2000 })).rejects.toBeInstanceOf(
      HttpRedirectRefusedError,
    );
    expect(followed).toEqual([]);
  });

  it.each(OVERSIZED_PATHS)('refuses a body over the cap (%s)', async (path) => {
    const capped = createHttpGet(1024);
    await expect(capped(`${base}${path}`, { timeoutMs: 2000 })).rejects.toBeInstanceOf(
      HttpBodyTooLargeError,
    );
  });

  it('rejects when the server does not answer within the timeout', async () => {
    await expect(httpGet(`${base}/hang`, { timeoutMs: 200 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });
});
