/**
 * The offers API's routes: the supply side's inbox (list, read, accept, decline), the demand
 * side's outbox (create one offer, a shift or a bundle; list, read, matches, assign, close) and
 * its assignment setting.
 */
import { BodyTooLargeError } from '../http-util';
import { invalidBody, optionalStrings, reasonCode, requiredBody } from './api-body';
import { inboxListQuery, matchListQuery, outboxListQuery } from './api-queries';
import {
  type Context,
  found,
  noContent,
  ok,
  type Reply,
  type Route,
  type RouteDeps,
} from './api-route';
import { assignRecorded } from './assign-calls';
import { isOneOf, OFFER_ASSIGNMENTS, type WireOutboxOfferDetail } from './model';
import {
  type OfferAction,
  type OfferBook,
  type SimulatorCall,
  SimulatorApiError,
} from './offer-book';
import {
  bundleItem,
  bundleSpecs,
  newShiftId,
  shiftItem,
  shiftSpecs,
  singleOfferSpec,
} from './offer-request';

export function offerRoutes(deps: RouteDeps): Route[] {
  const { book, now } = deps;

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
      deps.onCall?.(call);
    }
  }

  /** The poster's views of offers just created (each is there: the book created it). */
  const outboxViews = (ids: string[]): WireOutboxOfferDetail[] =>
    ids.map((id) => {
      const view = book.getOutbox(id);
      if (!view) throw new SimulatorApiError(500, 'Internal server error');
      return view;
    });

  return [
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
        const spec = singleOfferSpec(await requiredBody(ctx.body));
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
        const specs = shiftSpecs(await requiredBody(ctx.body));
        const shiftId = newShiftId();
        const created = book.createShift(ctx.orgId, specs, shiftId);
        const views = outboxViews(created.map((s) => s.detail.offer.id));
        return { status: 201, body: { shift: { id: shiftId }, items: views.map(shiftItem) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/bundle\/offers$/,
      role: 'demand',
      handle: async (ctx) => {
        const specs = bundleSpecs(await requiredBody(ctx.body));
        const bundleId = newShiftId();
        const created = book.createShift(ctx.orgId, specs, bundleId);
        const views = outboxViews(created.map((s) => s.detail.offer.id));
        return { status: 201, body: { bundle: { id: bundleId }, items: views.map(bundleItem) } };
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
        const matchId = (await requiredBody(ctx.body)).offer_match_id;
        if (typeof matchId !== 'string' || matchId === '')
          throw invalidBody('[object has missing required properties (["offer_match_id"])]');
        assignRecorded(
          book,
          { organizationId: ctx.orgId, offerId: ctx.params[0], matchId, at: now().toISOString() },
          (call) => deps.onAssign?.(call),
        );
        return noContent;
      },
    },
    {
      method: 'POST',
      pattern: /^\/offers\/v1\/outbox\/offers\/([^/]+)\/close$/,
      role: 'demand',
      handle: async (ctx) => {
        const body = await requiredBody(ctx.body);
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
        const value = (await requiredBody(ctx.body)).offer_assignment;
        if (typeof value !== 'string' || !isOneOf(value, OFFER_ASSIGNMENTS))
          throw invalidBody('[offer_assignment must be auto or manual]');
        book.setAssignment(ctx.orgId, value);
        return noContent;
      },
    },
  ];
}
