/**
 * For the MarketplaceClient suites (test/unit/marketplace-client-*.test.ts): the connector's
 * credentials, `failure` (the MarketplaceError a call ends in), and a small AlayaMarket stand-in
 * on 127.0.0.1 (`useMarketplaceStandIn`) that issues tokens, checks them, and lets each test
 * override any route, with a client pointed at it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MarketplaceClient, MarketplaceError } from '../../lambdas/adapters/marketplace-client';
import type { CredentialsProvider, MarketplaceCredentials } from '../../lambdas/core/ports';
import { OFFER_ID, offerDetailJson } from './offer-fixtures';

export const CREDENTIALS: MarketplaceCredentials = {
  username: 'connector@example.org',
  password: 'S3cret-Passw0rd!',
};

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Reply = { status: number; json?: unknown; text?: string; hang?: boolean };
export type Route = (request: Seen, api: FakeApi) => Reply | undefined;

/**
 * The stand-in API: issues tokens, checks them, and lets each test override any route. Each
 * `start` begins afresh: no requests, no tokens, no logins, ExpiresIn 3600, the default routes.
 */
export class FakeApi {
  readonly requests: Seen[] = [];
  readonly validTokens = new Set<string>();
  logins = 0;
  expiresIn: number | undefined = 3600;
  route: Route = () => undefined;
  private server: Server | undefined;

  get apiRequests(): Seen[] {
    return this.requests.filter((r) => r.path !== '/auth/v1/login');
  }

  async start(): Promise<string> {
    this.requests.length = 0;
    this.validTokens.clear();
    this.logins = 0;
    this.expiresIn = 3600;
    this.route = () => undefined;
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server?.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: Seen = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    };
    this.requests.push(seen);
    const reply = this.route(seen, this) ?? this.defaultReply(seen);
    if (reply.hang) return; // never answer: the client's timeout must end it
    if (reply.json !== undefined) {
      res
        .writeHead(reply.status, { 'Content-Type': 'application/json' })
        .end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'text/html' }).end(reply.text ?? '');
    }
  }

  issueToken(): string {
    this.logins += 1;
    const token = `id-token-${this.logins}-${'x'.repeat(20)}`;
    this.validTokens.add(token);
    return token;
  }

  private defaultReply(seen: Seen): Reply {
    if (seen.method === 'POST' && seen.path === '/auth/v1/login') {
      const body = JSON.parse(seen.body) as { username?: string; password?: string };
      if (body.username !== CREDENTIALS.username || body.password !== CREDENTIALS.password) {
        return { status: 401, json: { message: 'Incorrect username or password.' } };
      }
      const json: Record<string, unknown> = {
        AccessToken: 'access',
        IdToken: this.issueToken(),
        RefreshToken: 'refresh',
        TokenType: 'Bearer',
      };
      if (this.expiresIn !== undefined) json.ExpiresIn = this.expiresIn;
      return { status: 200, json };
    }
    if (!this.validTokens.has(String(seen.headers.authorization)))
      return { status: 401, json: { message: 'Unauthorized' } };
    const offerPath = `/offers/v1/inbox/offers/${OFFER_ID}`;
    if (seen.method === 'GET' && seen.path === offerPath)
      return { status: 200, json: offerDetailJson() };
    if (
      seen.method === 'POST' &&
      (seen.path === `${offerPath}/accept` || seen.path === `${offerPath}/decline`)
    )
      return { status: 204 };
    return { status: 404, json: { message: 'Not Found' } };
  }
}

/** The stand-in and a client of it, with the fake clock the client reads. */
export interface StandIn {
  /** The stand-in, started before each test and stopped after it. */
  readonly api: FakeApi;
  /** The client's clock (ms), reset before each test to 2026-05-01T08:00:00Z. */
  clock: number;
  /** A client of the stand-in that reads `clock` and never waits between retries. */
  client: (options?: {
    timeoutMs?: number;
    credentials?: CredentialsProvider;
  }) => MarketplaceClient;
}

/** Starts the stand-in before each test of the calling file and stops it after each. */
export function useMarketplaceStandIn(): StandIn {
  let baseUrl: string;
  const standIn: StandIn = {
    api: new FakeApi(),
    clock: 0,
    client: (options = {}) =>
      new MarketplaceClient({
        baseUrl,
        credentials: options.credentials ?? (async () => CREDENTIALS),
        now: () => standIn.clock,
        // Retries wait for nothing here; marketplace-client-retries.test.ts covers their timing.
        sleep: async () => undefined,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
  };

  beforeEach(async () => {
    baseUrl = await standIn.api.start();
    standIn.clock = Date.parse('2026-05-01T08:00:00Z');
  });

  afterEach(async () => {
    await standIn.api.stop();
  });

  return standIn;
}

/** The MarketplaceError `promise` rejects with (and a failed expectation if it does not). */
export async function failure(promise: Promise<unknown>): Promise<MarketplaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarketplaceError);
  return error as MarketplaceError;
}
