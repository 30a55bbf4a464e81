/**
 * The simulator's marketplace HTTP API: the supply-side routes of the published auth and offers
 * specifications, with API Gateway's behaviour around them (Cognito authorizer on every route but
 * login, `{message}` error bodies, `{message, description}` for a request that fails validation).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, errorMessage, readBody, sendEmpty, sendJson } from '../http-util';
import type { AuthService, Identity } from './auth';
import { type ListQuery, type OfferAction, type OfferBook, SimulatorApiError } from './offer-book';
import type { MatchStatus } from './model';

const MAX_BODY_BYTES = 1024 * 1024;
const MATCH_STATUSES: readonly MatchStatus[] = ['open', 'expired', 'closed', 'assigned', 'fulfilled'];
const OFFER_PATH = /^\/offers\/v1\/inbox\/offers\/([^/]+)$/;
const ACTION_PATH = /^\/offers\/v1\/inbox\/offers\/([^/]+)\/(accept|decline)$/;

export interface MarketplaceApiOptions {
  book: OfferBook;
  auth: AuthService;
  /** Told about every accept/decline request once it is answered (for the sandbox's own story). */
  onCall?: (call: ReturnType<OfferBook['calls']>[number]) => void;
  now?: () => Date;
}

type JsonObject = Record<string, unknown>;

/** Builds the request listener for the marketplace API. */
export function createMarketplaceApi(options: MarketplaceApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { book, auth } = options;
  const now = options.now ?? (() => new Date());

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (method === 'GET' && path === '/auth/v1/status/healthz') return sendJson(res, 200, { status: 'ok' });
    if (method === 'POST' && path === '/auth/v1/login') return login(req, res);

    const known =
      (method === 'GET' && (path === '/auth/v1/current_identity' || path === '/offers/v1/inbox/offers' || OFFER_PATH.test(path))) ||
      (method === 'POST' && ACTION_PATH.test(path));
    // API Gateway answers an unknown route (or method) this way, before any authorizer runs.
    if (!known) return sendJson(res, 403, { message: 'Missing Authentication Token' });

    const identity = auth.identify(singleHeader(req, 'authorization'));
    if (!identity) return sendJson(res, 401, { message: 'Unauthorized' });

    if (path === '/auth/v1/current_identity') return sendJson(res, 200, auth.currentIdentity(identity));
    if (path === '/offers/v1/inbox/offers') return sendJson(res, 200, book.list(identity.account.organizationId, listQuery(url)));
    const action = ACTION_PATH.exec(path);
    if (action) return respond(req, res, identity, decodeURIComponent(action[1]), action[2] as OfferAction);
    const single = OFFER_PATH.exec(path);
    if (single) {
      const detail = book.get(decodeURIComponent(single[1]), identity.account.organizationId);
      return detail ? sendJson(res, 200, detail) : sendJson(res, 404, { message: 'Offer not found' });
    }
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJsonObject(await readBody(req, MAX_BODY_BYTES), true) ?? {};
    const { username, password } = body;
    // LoginRequest: both required, strings of at least one character.
    if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
      const bad = Object.entries({ username, password }).filter(([, v]) => typeof v !== 'string' || v === '').map(([k]) => k);
      throw new SimulatorApiError(400, 'Invalid request body', `[object has missing or empty required properties (${JSON.stringify(bad)})]`);
    }
    const tokens = auth.login(username, password);
    if (!tokens) return sendJson(res, 401, { message: 'Incorrect username or password.' });
    sendJson(res, 200, tokens);
  }

  async function respond(req: IncomingMessage, res: ServerResponse, identity: Identity, offerId: string, action: OfferAction): Promise<void> {
    let status = 500;
    let affected: string[] = [];
    try {
      const raw = await readBody(req, MAX_BODY_BYTES);
      // accept's body is optional; decline's is required (both per the published spec).
      const body = parseJsonObject(raw, action === 'decline');
      if (body === undefined && action === 'decline') {
        throw new SimulatorApiError(400, 'Invalid request body', '[a JSON object body is required]');
      }
      const fields = optionalStrings(body ?? {}, action === 'accept' ? ['comment'] : ['reason_code', 'comment']);
      affected = book.respond(identity.account.organizationId, offerId, action, fields);
      status = 204;
      sendEmpty(res, 204);
    } catch (error: unknown) {
      status = error instanceof SimulatorApiError ? error.status : error instanceof BodyTooLargeError ? 413 : 500;
      throw error;
    } finally {
      const call = { offerId, action, status, at: now().toISOString(), affectedOfferIds: affected };
      book.recordCall(call);
      options.onCall?.(call);
    }
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof SimulatorApiError) {
        sendJson(res, error.status, error.description !== undefined ? { message: error.message, description: error.description } : { message: error.message });
      } else if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { message: 'Request Entity Too Large' });
      } else {
        sendJson(res, 500, { message: 'Internal server error' });
        process.stderr.write(`simulator: unexpected error: ${errorMessage(error)}\n`);
      }
    });
  };
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses a JSON object body. An empty body is `undefined`; anything that is not a JSON object is a
 * 400, as API Gateway's body validator answers.
 */
function parseJsonObject(raw: Buffer, required: boolean): JsonObject | undefined {
  const text = raw.toString('utf8');
  if (text.trim() === '') {
    if (required) throw new SimulatorApiError(400, 'Invalid request body', '[a JSON object body is required]');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SimulatorApiError(400, 'Invalid request body', '[body is not valid JSON]');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimulatorApiError(400, 'Invalid request body', '[body must be a JSON object]');
  }
  return parsed as JsonObject;
}

function optionalStrings(body: JsonObject, fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new SimulatorApiError(400, 'Invalid request body', `[${field} must be a string]`);
    out[field] = value;
  }
  return out;
}

function positiveInt(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new SimulatorApiError(400, 'Invalid request parameters', `[${name} must be an integer >= 1]`);
  }
  return Number(raw);
}

function listQuery(url: URL): ListQuery {
  const status = url.searchParams.get('status');
  if (status !== null && !MATCH_STATUSES.includes(status as MatchStatus)) {
    throw new SimulatorApiError(400, 'Invalid request parameters', `[status must be one of ${MATCH_STATUSES.join(', ')}]`);
  }
  const sortBy = url.searchParams.get('sort_by');
  if (sortBy !== null && sortBy !== 'last_modified') {
    throw new SimulatorApiError(400, 'Invalid request parameters', '[sort_by must be last_modified]');
  }
  const sortOrder = url.searchParams.get('sort_order') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') {
    throw new SimulatorApiError(400, 'Invalid request parameters', '[sort_order must be asc or desc]');
  }
  const shiftId = url.searchParams.get('shift_id');
  return {
    page: positiveInt(url, 'page', 1),
    itemsPerPage: positiveInt(url, 'items_per_page', 100),
    sortOrder,
    ...(status !== null ? { status: status as MatchStatus } : {}),
    ...(shiftId !== null ? { shiftId } : {}),
  };
}
