import { z } from 'zod';
import { CARE_TYPES, OFFER_TYPES } from '../core/config';
import type { InboxOffer, MarketplaceApi, MarketplaceCredentials } from '../core/ports';

/**
 * The AlayaMarket HTTP API, supply side: log in, read an inbox offer, accept or decline it.
 *
 * The offer detail carries client health data (allergies, risks, custom fields); only the fields
 * of `InboxOffer` leave this module. Error messages carry the operation, the HTTP status and the
 * API's own `message`/`description`, never credentials or tokens.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Log in again this long before the token runs out, so no request carries an expiring token. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** The token lifetime assumed when login does not say (Cognito's default). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** Longest API-provided detail kept in an error message. */
const MAX_DETAIL_LENGTH = 200;

export class MarketplaceError extends Error {
  override readonly name = 'MarketplaceError';
  /** The HTTP status, or undefined when no response came (timeout, network). */
  readonly status: number | undefined;
  /** `login`, `getInboxOffer`, `acceptInboxOffer` or `declineInboxOffer`. */
  readonly operation: string;

  constructor(operation: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
    this.status = status;
  }
}

export interface MarketplaceClientOptions {
  /** e.g. `https://api.sandbox.alayamarket.ca` (no trailing path). */
  baseUrl: string;
  credentials: () => Promise<MarketplaceCredentials>;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds, for token expiry. */
  now?: () => number;
}

const loginResponseSchema = z.looseObject({
  IdToken: z.string().min(1),
  ExpiresIn: z.number().positive().optional(),
});

const nonEmpty = z.string().min(1);

/** `GET /offers/v1/inbox/offers/{id}`: only what the connector reads; everything else is ignored. */
const inboxOfferDetailSchema = z.looseObject({
  offer: z.looseObject({
    id: nonEmpty,
    shift_id: nonEmpty.nullish(),
    care_type: z.enum(CARE_TYPES),
    offer_type: z.enum(OFFER_TYPES),
    expires_at: nonEmpty,
    start_at: nonEmpty,
  }),
  match: z.looseObject({
    id: nonEmpty,
    response: z.enum(['pending', 'accepted', 'declined']),
    status: z.enum(['open', 'expired', 'closed', 'assigned', 'fulfilled']).nullable(),
  }),
  demand: z.looseObject({ id: nonEmpty, name: nonEmpty }),
  client: z.looseObject({
    address: z.looseObject({ city: nonEmpty, state: nonEmpty, zip: nonEmpty, country: nonEmpty }),
  }),
});

/** Field paths only: zod messages name types, not values, but paths are all a reader needs. */
function describeFields(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

interface TokenState {
  token: string;
  refreshAt: number;
}

export class MarketplaceClient implements MarketplaceApi {
  private readonly baseUrl: string;
  private readonly credentials: () => Promise<MarketplaceCredentials>;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private token: TokenState | undefined;
  /** Shared by concurrent callers so a cold or expired cache costs one login, not one each. */
  private loginInFlight: Promise<string> | undefined;

  constructor(options: MarketplaceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  async getInboxOffer(offerId: string): Promise<InboxOffer> {
    const operation = 'getInboxOffer';
    const response = await this.authorized(operation, 'GET', this.offerPath(offerId));
    const body = await this.readJson(operation, response);
    const parsed = inboxOfferDetailSchema.safeParse(body);
    if (!parsed.success) {
      throw new MarketplaceError(operation, `unexpected response: ${describeFields(parsed.error)}`, response.status);
    }
    const { offer, match, demand, client } = parsed.data;
    // Built field by field so nothing else from the detail (health data) can ride along.
    const mapped: InboxOffer = {
      id: offer.id,
      careType: offer.care_type,
      offerType: offer.offer_type,
      expiresAt: offer.expires_at,
      startAt: offer.start_at,
      match: { id: match.id, response: match.response, status: match.status },
      location: {
        city: client.address.city,
        state: client.address.state,
        zip: client.address.zip,
        country: client.address.country,
      },
      demand: { id: demand.id, name: demand.name },
    };
    if (typeof offer.shift_id === 'string') mapped.shiftId = offer.shift_id;
    return mapped;
  }

  async acceptInboxOffer(offerId: string, body?: { comment?: string }): Promise<void> {
    const payload: { comment?: string } = {};
    if (body?.comment !== undefined) payload.comment = body.comment;
    const response = await this.authorized('acceptInboxOffer', 'POST', `${this.offerPath(offerId)}/accept`, payload);
    await discardBody(response);
  }

  async declineInboxOffer(offerId: string, body?: { reason_code?: string; comment?: string }): Promise<void> {
    // The API requires a body here, even an empty one.
    const payload: { reason_code?: string; comment?: string } = {};
    if (body?.reason_code !== undefined) payload.reason_code = body.reason_code;
    if (body?.comment !== undefined) payload.comment = body.comment;
    const response = await this.authorized('declineInboxOffer', 'POST', `${this.offerPath(offerId)}/decline`, payload);
    await discardBody(response);
  }

  private offerPath(offerId: string): string {
    return `/offers/v1/inbox/offers/${encodeURIComponent(offerId)}`;
  }

  /**
   * Sends an authenticated request and returns a 2xx response. A 401 drops the token and retries
   * once with a fresh login; a second 401 is an error (no loop).
   */
  private async authorized(operation: string, method: 'GET' | 'POST', path: string, body?: object): Promise<Response> {
    let token = await this.getToken();
    let response = await this.send(operation, method, path, token, body);
    if (response.status === 401) {
      await discardBody(response);
      this.invalidate(token);
      token = await this.getToken();
      response = await this.send(operation, method, path, token, body);
    }
    if (!response.ok) throw await this.errorFrom(operation, response, [token]);
    return response;
  }

  private async send(operation: string, method: 'GET' | 'POST', path: string, token: string, body?: object): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: token };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return this.fetchWithTimeout(operation, `${this.baseUrl}${path}`, init);
  }

  private async fetchWithTimeout(operation: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error: unknown) {
      const { name, message } = describeThrown(error);
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new MarketplaceError(operation, `no response within ${this.timeoutMs} ms`, undefined, { cause: error });
      }
      // Network errors name what failed (e.g. `fetch failed`); the request held no secret in its URL.
      throw new MarketplaceError(operation, `request failed (${name}: ${message})`, undefined, { cause: error });
    }
  }

  private async getToken(): Promise<string> {
    if (this.token !== undefined && this.now() < this.token.refreshAt) return this.token.token;
    if (this.loginInFlight === undefined) {
      this.loginInFlight = this.login().finally(() => {
        this.loginInFlight = undefined;
      });
    }
    return this.loginInFlight;
  }

  /** Forgets `token` unless a concurrent caller has already replaced it with a newer one. */
  private invalidate(token: string): void {
    if (this.token?.token === token) this.token = undefined;
  }

  private async login(): Promise<string> {
    const operation = 'login';
    const { username, password } = await this.credentials();
    const response = await this.fetchWithTimeout(operation, `${this.baseUrl}/auth/v1/login`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw await this.errorFrom(operation, response, [password, username]);
    const parsed = loginResponseSchema.safeParse(await this.readJson(operation, response));
    if (!parsed.success) {
      throw new MarketplaceError(operation, `unexpected response: ${describeFields(parsed.error)}`, response.status);
    }
    const lifetimeMs = (parsed.data.ExpiresIn ?? DEFAULT_TOKEN_LIFETIME_S) * 1000;
    // A lifetime shorter than twice the margin would never be reused; keep it for half its life.
    const reuseMs = lifetimeMs > 2 * TOKEN_REFRESH_MARGIN_MS ? lifetimeMs - TOKEN_REFRESH_MARGIN_MS : lifetimeMs / 2;
    this.token = { token: parsed.data.IdToken, refreshAt: this.now() + reuseMs };
    return parsed.data.IdToken;
  }

  private async readJson(operation: string, response: Response): Promise<unknown> {
    let text: string;
    try {
      text = await response.text();
    } catch (error: unknown) {
      const { name } = describeThrown(error);
      throw new MarketplaceError(operation, `could not read response (${name})`, response.status, { cause: error });
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new MarketplaceError(operation, 'response is not JSON', response.status);
    }
  }

  /**
   * An error for a non-2xx response. The API's `message`/`description` is kept (shortened) when
   * the body is JSON; other bodies (gateway HTML, proxies) are left out. Any secret the body
   * happens to echo is masked.
   */
  private async errorFrom(operation: string, response: Response, secrets: string[]): Promise<MarketplaceError> {
    let detail = '';
    try {
      const parsed: unknown = JSON.parse(await response.text());
      if (typeof parsed === 'object' && parsed !== null) {
        const record = parsed as Record<string, unknown>;
        detail = [record.message, record.description].filter((part): part is string => typeof part === 'string' && part.length > 0).join(': ');
      }
    } catch {
      // Not JSON or not readable: the status alone has to do.
    }
    for (const secret of secrets) {
      if (secret.length > 0) detail = detail.split(secret).join('[redacted]');
    }
    if (detail.length > MAX_DETAIL_LENGTH) detail = `${detail.slice(0, MAX_DETAIL_LENGTH)}...`;
    return new MarketplaceError(operation, `HTTP ${response.status}${detail ? ` ${detail}` : ''}`, response.status);
  }
}

/**
 * Name and message of anything thrown. The timeout's DOMException is not always an `Error`
 * instance (it comes from undici's realm), so this reads the fields instead of using instanceof.
 */
function describeThrown(error: unknown): { name: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : '' };
  }
  return { name: 'unknown error', message: '' };
}

/** Reads and drops a body so the connection can be reused; a broken body does not matter here. */
async function discardBody(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // Nothing to do: the status already said what happened.
  }
}
