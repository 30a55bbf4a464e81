/**
 * The marketplace client on its own sender (lambdas/adapters/http-request.ts, no fetch injected)
 * when an answer's status arrives but its body does not come whole: the status stands, as it did
 * with fetch. An accept answered 2xx is done, sent once and never checked or sent again; a read
 * answered 200 fails with that status, unretried; a 503 whose body is cut off is still a 503,
 * retried. Counted at the stand-in's HTTP boundary.
 */
import { createServer, type Server } from 'node:http';
import { MarketplaceClient, MarketplaceError } from '../../lambdas/adapters/marketplace-client';
import { OFFER_ID } from '../support/offer-fixtures';
import { closeServer, listenOnLoopback } from '../support/loopback-server';

const OFFER_PATH = `/offers/v1/inbox/offers/${OFFER_ID}`;

let server: Server;
let baseUrl: string;
/** `METHOD path` of every request but the login, in order. */
let calls: string[];
/** Answers with this status and a body announced at 100 bytes that stops after a few. */
let cutStatus: number;

beforeEach(async () => {
  calls = [];
  cutStatus = 200;
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/auth/v1/login') {
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ IdToken: 'token', ExpiresIn: 3600 }));
        return;
      }
      calls.push(`${request.method ?? ''} ${request.url ?? ''}`);
      response.writeHead(cutStatus, {
        'Content-Type': 'application/json',
        'Content-Length': '100',
      });
      response.write('{"status":', () => request.socket.destroy());
    });
  });
  baseUrl = await listenOnLoopback(server);
});

afterEach(async () => {
  await closeServer(server);
});

function client(): MarketplaceClient {
  return new MarketplaceClient({
    baseUrl,
    credentials: () => Promise.resolve({ username: 'connector@example.org', password: 'pw' }),
    sleep: () => Promise.resolve(),
  });
}

it('takes an accept answered 2xx as done, though its body is cut off: sent once, no state read', async () => {
  await expect(client().acceptInboxOffer(OFFER_ID)).resolves.toBeUndefined();
  expect(calls).toEqual([`POST ${OFFER_PATH}/accept`]);
});

it('fails a read answered 200 whose body is cut off with that status, without retrying', async () => {
  const error: unknown = await client()
    .getInboxOffer(OFFER_ID)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(MarketplaceError);
  expect(error).toMatchObject({ status: 200 });
  expect((error as Error).message).toContain('could not read response');
  expect(calls).toEqual([`GET ${OFFER_PATH}`]);
});

it('still retries a 503 whose body is cut off, as a 503', async () => {
  cutStatus = 503;
  const error: unknown = await client()
    .getInboxOffer(OFFER_ID)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toMatchObject({ status: 503 });
  expect(calls.length).toBeGreaterThan(1);
  expect(new Set(calls)).toEqual(new Set([`GET ${OFFER_PATH}`]));
});
