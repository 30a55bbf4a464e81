/**
 * The simulator's marketplace HTTP API: the auth, offers (inbox and outbox, shifts, bundles,
 * matches, assign, close, assignment setting, referrals) and organizations `subscribe` routes of
 * the published specifications, with API Gateway's behaviour around them (Cognito authorizer on
 * every route but login and health, `{message}` error bodies, `{message, description}` for a
 * request that fails validation, 403 for an unknown route) and the run's injected faults.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, errorMessage, readBody, sendEmpty, sendJson } from '../http-util';
import {
  CARE_TYPES,
  inboxListQuery,
  matchListQuery,
  OFFER_TYPES,
  outboxListQuery,
  referralQuery,
} from './api-queries';
import { type AssignCall, assignRecorded } from './assign-calls';
import type { AuthService, Identity } from './auth';
import type { FaultInjector } from './faults';
import type { CareType, OfferType, ReasonCode } from './model';
import {
  type OfferAction,
  type OfferBook,
  type OfferSpec,
  type SimulatorCall,
  SimulatorApiError,
} from './offer-book';
import { hasPersona } from './personas';

const MAX_BODY_BYTES = 1024 * 1024;
const PRICE_UNITS = ['per_visit', 'per_hour', 'amount'] as const;
const REASON_CODES: readonly ReasonCode[] = [
  'datetime_change',
  'client_request',
  'client_hospitalization',
  'client_passed_away',
  'client_refused_service',
  'processing_error',
  'other',
];
export const SUBSCRIBABLE_TOPICS = [
  'demand-organizations',
  'inbox-form-templates',
  'inbox-messages',
  'inbox-offers',
  'inbox-referrals',
  'outbox-form-submissions',
  'outbox-messages',
  'outbox-offers',
  'outbox-referrals',
  'outbox-visits',
  'outbox-visit-tasks',
  'outbox-work-sessions',
] as const;

export interface MarketplaceApiOptions {
  book: OfferBook;
  auth: AuthService;
  faults?: FaultInjector;
  /** Told about every accept/decline request once it is answered (for the sandbox's own story). */
  onCall?: (call: SimulatorCall) => void;
  /** Told about every assign request that reached the offer book, answered or refused. */
  onAssign?: (call: AssignCall) => void;
  /** `POST /organizations/v1/subscribe` with protocol https: returns the subscription ARN. */
  subscribe?: (organizationId: string, topic: string, endpoint: string) => string;
  now?: () => Date;
}

type JsonObject = Record<string, unknown>;

/** What a route answers; the fault layer decides whether and how it reaches the client. */
interface Reply {
  status: number;
  body?: unknown;
}

interface Context {
  identity: Identity;
  orgId: string;
  url: URL;
  body: () => Promise<JsonObject | undefined>;
  params: string[];
}

type Role = 'supply' | 'demand' | 'any';

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  role: Role;
  handle: (ctx: Context) => Promise<Reply> | Reply;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const noContent: Reply = { status: 204 };

/** Builds the request listener for the marketplace API. */
export function createMarketplaceApi(
  options: MarketplaceApiOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { book, auth, faults } = options;
  const now = options.now ?? (() => new Date());

  async function respondToOffer(ctx: Context, action: OfferAction): Promise<Reply> {
    const offerId = ctx.params[0];
    let status = 500;
    let affected: string[] = [];
    let unit: ReturnType<OfferBook['answerUnit']>;
    try {
      // accept's body is optional; decline's is required (both per the published spec).
      const body = await ctx.body();
      if (body === undefined && action === 'decline')
        throw invalidBody('[a JSON object body is required]');
      const fields = optionalStrings(
        body ?? {},
        action === 'accept' ? ['comment'] : ['reason_code', 'comment'],
      );
      // Read right before acting, with no await in between: the state this very call met.
      unit = book.answerUnit(ctx.orgId, offerId);
      affected = book.respond(ctx.orgId, offerId, action, fields);
      status = 204;
      return noContent;
    } catch (error: unknown) {
      status =
        error instanceof SimulatorApiError
          ? error.status
          : error instanceof BodyTooLargeError
            ? 413
            : 500;
      throw error;
    } finally {
      // A 409 on a match answered already is a second answer to its unit; other refusals are not answers.
      const answer = status === 204 || (status === 409 && unit?.answered === true);
      const call: SimulatorCall = {
        offerId,
        action,
        status,
        at: now().toISOString(),
        affectedOfferIds: affected,
        organizationId: ctx.orgId,
        ...(unit ? { unitKey: unit.unitKey } : {}),
        answer,
      };
      book.recordCall(call);
      options.onCall?.(call);
    }
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/auth\/v1\/current_identity$/,
      role: 'any',
      handle: (ctx) => ok(auth.currentIdentity(ctx.identity)),
    },
    // --- supply: inbox offers
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/offers$/,
      role: 'supply',
      handle: (ctx) => ok(book.list(ctx.orgId, inboxListQuery(ctx.url))),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/offers\/([^/]+)$/,
      role: 'supply',
      handle: (ctx) => found(book.get(ctx.params[0], ctx.orgId), 'Offer not found'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/offers\/([^/]+)\/accept$/,
      role: 'supply',
      handle: (ctx) => respondToOffer(ctx, 'accept'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/offers\/([^/]+)\/decline$/,
      role: 'supply',
      handle: (ctx) => respondToOffer(ctx, 'decline'),
    },
    // --- demand: outbox offers
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/offers$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const spec = offerSpec(body, '', {
          offer: objectAt(body, 'offer'),
          offerType: 'from-offer',
        });
        const stored = book.createOffer(ctx.orgId, spec);
        return { status: 201, body: book.getOutbox(stored.detail.offer.id) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/offers$/,
      role: 'demand',
      handle: (ctx) => ok(book.listOutbox(ctx.orgId, outboxListQuery(ctx.url))),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/shift\/offers$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const offer = objectAt(body, 'offer');
        const items = itemsOf(body);
        const specs = items.map((item, i) =>
          offerSpec({ ...item, ...common(body) }, `items.${i}.`, {
            offer,
            offerType: 'visit',
            visitsRequired: true,
          }),
        );
        const shiftId = randomUUID();
        const created = specs.map((spec) => book.createOffer(ctx.orgId, spec, { shiftId }));
        return {
          status: 201,
          body: {
            shift: { id: shiftId },
            items: created.map((stored) => {
              const d = book.getOutbox(stored.detail.offer.id);
              if (!d) throw new SimulatorApiError(500, 'Internal server error');
              return {
                offer: {
                  id: d.offer.id,
                  care_type: d.offer.care_type,
                  start_at: d.offer.start_at,
                  end_at: d.offer.end_at ?? d.offer.start_at,
                  expires_at: d.offer.expires_at,
                },
                client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
                service: { outbox_id: d.service.outbox_id, name: d.service.name },
                visits: d.visits.map((v) => ({ id: v.id, outbox_id: v.outbox_id })),
                response_counts: d.response_counts,
              };
            }),
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/bundle\/offers$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const offer = objectAt(body, 'offer');
        const items = itemsOf(body);
        const specs = items.map((item, i) =>
          offerSpec({ ...item, ...common(body) }, `items.${i}.`, {
            offer: { ...offer, care_type: item.care_type, demand_labels: item.demand_labels },
            offerType: 'service',
          }),
        );
        const bundleId = randomUUID();
        const created = specs.map((spec) =>
          book.createOffer(ctx.orgId, spec, { shiftId: bundleId }),
        );
        return {
          status: 201,
          body: {
            bundle: { id: bundleId },
            items: created.map((stored) => {
              const d = book.getOutbox(stored.detail.offer.id);
              if (!d) throw new SimulatorApiError(500, 'Internal server error');
              return {
                offer: {
                  id: d.offer.id,
                  care_type: d.offer.care_type,
                  status: d.offer.status,
                  start_at: d.offer.start_at,
                  ...(d.offer.end_at ? { end_at: d.offer.end_at } : {}),
                  expires_at: d.offer.expires_at,
                },
                client: { outbox_id: d.client.outbox_id, demographics: d.client.demographics },
                service: { outbox_id: d.service.outbox_id, name: d.service.name },
                response_counts: d.response_counts,
              };
            }),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/offers\/([^/]+)$/,
      role: 'demand',
      handle: (ctx) => found(book.getOutbox(ctx.params[0], ctx.orgId), 'Offer not found'),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/offers\/([^/]+)\/matches$/,
      role: 'demand',
      handle: (ctx) => ok(book.listMatches(ctx.orgId, ctx.params[0], matchListQuery(ctx.url))),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/offers\/([^/]+)\/assign$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const matchId = body.offer_match_id;
        if (typeof matchId !== 'string' || matchId === '')
          throw invalidBody('[object has missing required properties (["offer_match_id"])]');
        assignRecorded(
          book,
          { organizationId: ctx.orgId, offerId: ctx.params[0], matchId, at: now().toISOString() },
          (call) => options.onAssign?.(call),
        );
        return noContent;
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/offers\/([^/]+)\/close$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const fields = optionalStrings(body, ['reason_code', 'reason_comment']);
        book.closeByDemand(ctx.orgId, ctx.params[0], {
          ...reasonCode(fields.reason_code),
          ...(fields.reason_comment !== undefined ? { reason_comment: fields.reason_comment } : {}),
        });
        return noContent;
      },
    },
    // --- demand settings
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/demand_personas\/settings\/assignment$/,
      role: 'demand',
      handle: (ctx) => ok({ offer_assignment: book.assignment(ctx.orgId) }),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/demand_personas\/settings\/assignment$/,
      role: 'demand',
      handle: async (ctx) => {
        const value = (await requiredBody(ctx)).offer_assignment;
        if (value !== 'auto' && value !== 'manual')
          throw invalidBody('[offer_assignment must be auto or manual]');
        book.setAssignment(ctx.orgId, value);
        return noContent;
      },
    },
    // --- referrals
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/referrals$/,
      role: 'supply',
      handle: (ctx) =>
        ok(book.listInboxReferrals(ctx.orgId, referralQuery(ctx.url, 'referral_status'))),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)$/,
      role: 'supply',
      handle: (ctx) => found(book.getInboxReferral(ctx.orgId, ctx.params[0]), 'Referral not found'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)\/mark_processed$/,
      role: 'supply',
      handle: (ctx) => {
        book.markProcessed(ctx.orgId, ctx.params[0]);
        return noContent;
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/inbox\/referrals\/([^/]+)\/cancel$/,
      role: 'supply',
      handle: async (ctx) => {
        const fields = optionalStrings(await requiredBody(ctx), ['reason_code']);
        book.cancelReferral('supply', ctx.orgId, ctx.params[0], reasonCode(fields.reason_code));
        return noContent;
      },
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/referrals$/,
      role: 'demand',
      handle: (ctx) => ok(book.listOutboxReferrals(ctx.orgId, referralQuery(ctx.url, 'status'))),
    },
    {
      method: 'GET',
      pattern: /^\/offers\/v1\/outbox\/referrals\/([^/]+)$/,
      role: 'demand',
      handle: (ctx) =>
        found(book.getOutboxReferral(ctx.orgId, ctx.params[0]), 'Referral not found'),
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/referrals\/([^/]+)\/cancel$/,
      role: 'demand',
      handle: async (ctx) => {
        const fields = optionalStrings(await requiredBody(ctx), ['reason_code', 'comment']);
        book.cancelReferral('demand', ctx.orgId, ctx.params[0], {
          ...reasonCode(fields.reason_code),
          ...(fields.comment !== undefined ? { comment: fields.comment } : {}),
        });
        return noContent;
      },
    },
    // --- organizations
    {
      method: 'POST',
      pattern: /^\/organizations\/v1\/subscribe$/,
      role: 'any',
      handle: async (ctx) => {
        const body = await requiredBody(ctx);
        const list = body.subscriptions;
        if (!Array.isArray(list))
          throw invalidBody('[object has missing required properties (["subscriptions"])]');
        const answered = list.map((entry: unknown, i) => {
          const item = isObject(entry) ? entry : {};
          const { topic, protocol, endpoint } = item;
          if (
            typeof topic !== 'string' ||
            !(SUBSCRIBABLE_TOPICS as readonly string[]).includes(topic)
          )
            throw invalidBody(`[subscriptions.${i}.topic must be one of the published topics]`);
          if (protocol !== 'https' && protocol !== 'email')
            throw invalidBody(`[subscriptions.${i}.protocol must be https or email]`);
          if (typeof endpoint !== 'string' || endpoint === '')
            throw invalidBody(`[subscriptions.${i}.endpoint is required]`);
          const arn =
            protocol === 'https' && options.subscribe
              ? options.subscribe(ctx.orgId, topic, endpoint)
              : 'pending confirmation';
          return { topic, protocol, endpoint, subscription_arn: arn };
        });
        return ok({ subscriptions: answered });
      },
    },
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

    if (fault?.kind === 'error')
      return drain(req, () => sendJson(res, fault.status, { message: 'Service Unavailable' }));
    if (fault?.kind === 'throttle') {
      return drain(req, () =>
        sendJson(
          res,
          429,
          { message: 'Too Many Requests' },
          fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
        ),
      );
    }

    let reply: Reply;
    try {
      reply = await route(req, url);
    } catch (error: unknown) {
      reply = errorReply(error);
    }
    // A POST that took effect but whose answer is lost: the caller cannot tell what happened.
    if (fault?.kind === 'timeout') return; // never answered; the client's timeout ends it
    if (fault?.kind === 'error-after')
      return sendJson(res, fault.status, { message: 'Bad Gateway' });
    if (reply.status === 204) return sendEmpty(res, 204);
    sendJson(res, reply.status, reply.body ?? {});
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

function found(value: unknown, message: string): Reply {
  return value === undefined ? { status: 404, body: { message } } : ok(value);
}

const invalidBody = (detail: string) => new SimulatorApiError(400, 'Invalid request body', detail);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function requiredBody(ctx: Context): Promise<JsonObject> {
  const body = await ctx.body();
  if (body === undefined) throw invalidBody('[a JSON object body is required]');
  return body;
}

function objectAt(body: JsonObject, key: string): JsonObject {
  const value = body[key];
  if (!isObject(value)) throw invalidBody(`[object has missing required properties (["${key}"])]`);
  return value;
}

function itemsOf(body: JsonObject): JsonObject[] {
  const items = body.items;
  if (!Array.isArray(items) || items.length === 0)
    throw invalidBody('[object has missing required properties (["items"])]');
  return items.map((item, i) => {
    if (!isObject(item)) throw invalidBody(`[items.${i} must be an object]`);
    return item;
  });
}

/** Fields of a shift/bundle request that apply to every item. */
function common(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (body.direct_supply_persona_ids !== undefined)
    out.direct_supply_persona_ids = body.direct_supply_persona_ids;
  return out;
}

/**
 * Checks a create request's required fields (those the spec marks required and the simulator
 * uses) and builds the offer spec; a 400 names every missing or wrong field.
 */
function offerSpec(
  body: JsonObject,
  prefix: string,
  options: { offer: JsonObject; offerType: 'from-offer' | OfferType; visitsRequired?: boolean },
): OfferSpec {
  const problems: string[] = [];
  const str = (obj: JsonObject | undefined, key: string, path: string): string => {
    const value = obj?.[key];
    if (typeof value !== 'string' || value === '') problems.push(path);
    return typeof value === 'string' ? value : '';
  };
  const obj = (
    parent: JsonObject | undefined,
    key: string,
    path: string,
  ): JsonObject | undefined => {
    const value = parent?.[key];
    if (!isObject(value)) {
      problems.push(path);
      return undefined;
    }
    return value;
  };
  const offer = options.offer;
  const careType = str(offer, 'care_type', 'offer.care_type');
  if (careType && !CARE_TYPES.includes(careType as CareType))
    problems.push('offer.care_type (psw | nursing)');
  const offerType =
    options.offerType === 'from-offer'
      ? str(offer, 'offer_type', 'offer.offer_type')
      : options.offerType;
  if (offerType && !OFFER_TYPES.includes(offerType as OfferType))
    problems.push('offer.offer_type (visit | service)');
  const expiresAt = str(offer, 'expires_at', 'offer.expires_at');
  if (expiresAt && Number.isNaN(Date.parse(expiresAt)))
    problems.push('offer.expires_at (date-time)');

  const client = obj(body, 'client', `${prefix}client`);
  const address = obj(client, 'address', `${prefix}client.address`);
  for (const key of ['address', 'city', 'state', 'zip', 'country'])
    str(address, key, `${prefix}client.address.${key}`);
  const demographics = obj(client, 'demographics', `${prefix}client.demographics`);
  for (const key of ['first_name', 'last_name'])
    str(demographics, key, `${prefix}client.demographics.${key}`);
  str(client, 'outbox_id', `${prefix}client.outbox_id`);
  const service = obj(body, 'service', `${prefix}service`);
  str(service, 'name', `${prefix}service.name`);
  str(service, 'outbox_id', `${prefix}service.outbox_id`);

  const rawVisits = body.visits;
  if (options.visitsRequired && !Array.isArray(rawVisits)) problems.push(`${prefix}visits`);
  const visits = (Array.isArray(rawVisits) ? rawVisits : []).map((v: unknown, i) => {
    const visit = isObject(v) ? v : {};
    const startAt = str(visit, 'start_at', `${prefix}visits.${i}.start_at`);
    const endAt = str(visit, 'end_at', `${prefix}visits.${i}.end_at`);
    return {
      outbox_id: str(visit, 'outbox_id', `${prefix}visits.${i}.outbox_id`),
      start_at: startAt,
      end_at: endAt,
      ...(typeof visit.instructions === 'string' ? { instructions: visit.instructions } : {}),
    };
  });
  let price: OfferSpec['price'];
  if (body.price !== undefined) {
    const def = obj(
      isObject(body.price) ? body.price : undefined,
      'default',
      `${prefix}price.default`,
    );
    const rate = def?.rate;
    const unit = def?.unit;
    if (typeof rate !== 'number') problems.push(`${prefix}price.default.rate`);
    if (typeof unit !== 'string' || !(PRICE_UNITS as readonly string[]).includes(unit))
      problems.push(`${prefix}price.default.unit`);
    if (typeof rate === 'number' && typeof unit === 'string')
      price = { default: { rate, unit: unit as (typeof PRICE_UNITS)[number] } };
  }
  if (problems.length > 0)
    throw invalidBody(
      `[object has missing or invalid required properties (${JSON.stringify(problems)})]`,
    );
  if (!client || !service) throw invalidBody('[client and service are required]');

  const ids = body.direct_supply_persona_ids;
  const labels = offer.demand_labels;
  return {
    care_type: careType as CareType,
    offer_type: offerType as OfferType,
    expires_at: new Date(Date.parse(expiresAt)).toISOString(),
    ...(typeof offer.comment === 'string' ? { comment: offer.comment } : {}),
    ...(Array.isArray(labels)
      ? { demand_labels: labels.filter((l): l is string => typeof l === 'string') }
      : {}),
    client: client as OfferSpec['client'],
    service: service as OfferSpec['service'],
    visits,
    ...(price ? { price } : {}),
    ...(Array.isArray(ids)
      ? { direct_supply_persona_ids: ids.filter((id): id is string => typeof id === 'string') }
      : {}),
  };
}

function reasonCode(value: string | undefined): { reason_code?: ReasonCode } {
  if (value === undefined) return {};
  if (!REASON_CODES.includes(value as ReasonCode))
    throw invalidBody(`[reason_code must be one of ${REASON_CODES.join(', ')}]`);
  return { reason_code: value as ReasonCode };
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
    if (required) throw invalidBody('[a JSON object body is required]');
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidBody('[body is not valid JSON]');
  }
  if (!isObject(parsed)) throw invalidBody('[body must be a JSON object]');
  return parsed;
}

function optionalStrings(body: JsonObject, fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalidBody(`[${field} must be a string]`);
    out[field] = value;
  }
  return out;
}
