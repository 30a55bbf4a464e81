/**
 * The simulator's marketplace HTTP API: the auth, offers (inbox and outbox, shifts, bundles,
 * matches, assign, close, assignment setting, referrals) and organizations (`subscribe`, trusted
 * network) routes of the published specifications (offer-routes.ts, referral-routes.ts,
 * organization-routes.ts), with API Gateway's behaviour around them (Cognito authorizer on every
 * route but login and health, `{message}` error bodies, `{message, description}` for a request
 * that fails validation, 403 for an unknown route) and the run's injected faults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, errorMessage, readBody, sendEmpty, sendJson } from '../http-util';
import { type JsonObject, parseJsonObject } from './api-body';
import { SimulatorApiError } from './api-error';
import { type Context, ok, type Reply, type Route, type RouteDeps } from './api-route';
import type { AuthService } from './auth';
import type { FaultInjector } from './faults';
import { offerRoutes } from './offer-routes';
import { organizationRoutes } from './organization-routes';
import { hasPersona } from './personas';
import { referralRoutes } from './referral-routes';

export { SUBSCRIBABLE_TOPICS } from './organization-routes';

const MAX_BODY_BYTES = 1024 * 1024;

export interface MarketplaceApiOptions extends Omit<RouteDeps, 'now'> {
  auth: AuthService;
  faults?: FaultInjector;
  now?: () => Date;
}

/** Builds the request listener for the marketplace API. */
export function createMarketplaceApi(
  options: MarketplaceApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { book, auth, faults } = options;
  const deps: RouteDeps = { ...options, now: options.now ?? (() => new Date()) };
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/auth\/v1\/current_identity$/,
      role: 'any',
      handle: (ctx) => ok(auth.currentIdentity(ctx.identity)),
    },
    ...offerRoutes(deps),
    ...referralRoutes(deps),
    ...organizationRoutes(deps),
  ];

  async function login(req: IncomingMessage): Promise<Reply> {
    const body = parseJsonObject(await readBody(req, MAX_BODY_BYTES), true) ?? {};
    const { username, password } = body;
    // LoginRequest: both required, strings of at least one character.
    if (
      typeof username !== 'string' ||
      username === '' ||
      typeof password !== 'string' ||
      password === ''
    ) {
      const bad = Object.entries({ username, password })
        .filter(([, v]) => typeof v !== 'string' || v === '')
        .map(([k]) => k);
      throw new SimulatorApiError(
        400,
        'Invalid request body',
        `[object has missing or empty required properties (${JSON.stringify(bad)})]`,
      );
    }
    const tokens = auth.login(username, password);
    if (!tokens) return { status: 401, body: { message: 'Incorrect username or password.' } };
    return ok(tokens);
  }

  async function route(req: IncomingMessage, url: URL): Promise<Reply> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'GET' && /^\/(auth|offers|organizations)\/v1\/status\/healthz$/.test(path))
      return ok({ status: 'ok' });
    if (method === 'POST' && path === '/auth/v1/login') return login(req);

    let matched: { route: Route; params: string[] } | undefined;
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const m = candidate.pattern.exec(path);
      if (m) {
        matched = { route: candidate, params: m.slice(1).map((p) => decodeURIComponent(p)) };
        break;
      }
    }
    // API Gateway answers an unknown route (or method) this way, before any authorizer runs.
    if (!matched) return { status: 403, body: { message: 'Missing Authentication Token' } };

    const identity = auth.identify(singleHeader(req, 'authorization'));
    if (!identity) return { status: 401, body: { message: 'Unauthorized' } };
    const orgId = identity.account.organizationId;
    // One login serves every persona its organisation holds (personas.ts).
    if (
      matched.route.role !== 'any' &&
      !hasPersona(book.organization(orgId)?.kind, matched.route.role)
    ) {
      return {
        status: 403,
        body: { message: `Forbidden: this route is for ${matched.route.role} organizations` },
      };
    }
    let parsed: Promise<JsonObject | undefined> | undefined;
    const ctx: Context = {
      identity,
      orgId,
      url,
      params: matched.params,
      body: () =>
        (parsed ??= readBody(req, MAX_BODY_BYTES).then((raw) => parseJsonObject(raw, false))),
    };
    return matched.route.handle(ctx);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const method = req.method ?? 'GET';
    // Time-based changes (expiry) happen before the request sees the state, with their events.
    book.sweep();
    const fault = /\/status\/healthz$/.test(url.pathname)
      ? undefined
      : faults?.forRequest(method, url.pathname);
    const latency = faults?.latencyMs() ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));

    if (fault?.kind === 'error') {
      await drain(req, () => {
        sendJson(res, fault.status, { message: 'Service Unavailable' });
      });
      return;
    }
    if (fault?.kind === 'throttle') {
      await drain(req, () => {
        sendJson(
          res,
          429,
          { message: 'Too Many Requests' },
          fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
        );
      });
      return;
    }

    let reply: Reply;
    try {
      reply = await route(req, url);
    } catch (error: unknown) {
      reply = errorReply(error);
    }
    // A POST that took effect but whose answer is lost: the caller cannot tell what happened.
    if (fault?.kind === 'timeout') return; // never answered; the client's timeout ends it
    if (fault?.kind === 'error-after') sendJson(res, fault.status, { message: 'Bad Gateway' });
    else if (reply.status === 204) sendEmpty(res, 204);
    else sendJson(res, reply.status, reply.body ?? {});
  }

  return (req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      sendJson(res, 500, { message: 'Internal server error' });
      process.stderr.write(`simulator: unexpected error: ${errorMessage(error)}\n`);
    });
  };
}

function errorReply(error: unknown): Reply {
  if (error instanceof SimulatorApiError) {
    return {
      status: error.status,
      body:
        error.description !== undefined
          ? { message: error.message, description: error.description }
          : { message: error.message },
    };
  }
  if (error instanceof BodyTooLargeError)
    return { status: 413, body: { message: 'Request Entity Too Large' } };
  process.stderr.write(`simulator: unexpected error: ${errorMessage(error)}\n`);
  return { status: 500, body: { message: 'Internal server error' } };
}

/** Reads the rest of a request before answering it, so the client sees the answer, not a reset. */
async function drain(req: IncomingMessage, answer: () => void): Promise<void> {
  try {
    await readBody(req, MAX_BODY_BYTES);
  } catch {
    // An oversized body is answered all the same.
  }
  answer();
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
