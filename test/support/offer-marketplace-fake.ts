/**
 * A stateful MarketplaceApi fake (a plain object literal) for unit tests, with the marketplace's
 * rules for answers: serves inbox offers by id and by shift, records every call, and an accept or
 * decline answers the organisation's match on the offer and on every answerable offer of its shift
 * (as the marketplace does); an answer to a match that is no longer pending and open is refused
 * with a 409. It can be told to fail a call, before or after it takes effect.
 */
import type { InboxOffer, MarketplaceApi } from '../../lambdas/core/ports';

type Method = keyof MarketplaceApi;
type Action = 'acceptInboxOffer' | 'declineInboxOffer';

export interface MarketplaceCall {
  method: Method;
  offerId: string;
  body?: unknown;
}

/** An error as the marketplace client throws it: the HTTP status, and whether the outcome is known. */
export class FakeMarketplaceError extends Error {
  override readonly name = 'MarketplaceError';
  constructor(
    message: string,
    readonly status?: number,
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

export interface FakeMarketplace extends MarketplaceApi {
  offers: Map<string, InboxOffer>;
  calls: MarketplaceCall[];
  /** The next call to `method` throws `error` without taking effect (once). */
  failNext(method: Method, error?: Error): void;
  /** The next call to `method` takes effect, then throws `error` (a 5xx after acting, a lost answer). */
  failNextAfterActing(method: Action, error?: Error): void;
  callsTo(method: Method): MarketplaceCall[];
  /** Accept and decline calls: the ones that change something in the marketplace. */
  actions(): MarketplaceCall[];
  /**
   * Per decision unit (shift id, else offer id): the answers that reached the marketplace's answer
   * logic, refused ones included. More than one is a double answer; both kinds a contradiction.
   */
  answersByUnit(): Map<string, Array<'accept' | 'decline'>>;
}

const unitOf = (offer: InboxOffer) => offer.shiftId ?? offer.id;
const answerable = (offer: InboxOffer) =>
  offer.match.response === 'pending' && offer.match.status === 'open';

export function fakeMarketplace(...initial: InboxOffer[]): FakeMarketplace {
  const offers = new Map(initial.map((offer) => [offer.id, structuredClone(offer)]));
  const calls: MarketplaceCall[] = [];
  const failures = new Map<Method, Error>();
  const lateFailures = new Map<Method, Error>();
  const answers = new Map<string, Array<'accept' | 'decline'>>();

  function enter(call: MarketplaceCall): InboxOffer {
    calls.push(structuredClone(call));
    const failure = failures.get(call.method);
    if (failure !== undefined) {
      failures.delete(call.method);
      throw failure;
    }
    const offer = offers.get(call.offerId);
    if (offer === undefined) throw new FakeMarketplaceError(`no such offer ${call.offerId}`, 404);
    return offer;
  }

  function answer(method: Action, offerId: string, body: unknown): void {
    const target = enter(body === undefined ? { method, offerId } : { method, offerId, body });
    const kind = method === 'acceptInboxOffer' ? 'accept' : 'decline';
    answers.set(unitOf(target), [...(answers.get(unitOf(target)) ?? []), kind]);
    if (!answerable(target))
      throw new FakeMarketplaceError(
        `HTTP 409 match is ${target.match.response}/${target.match.status}`,
        409,
      );
    const group =
      target.shiftId === undefined
        ? [target]
        : [...offers.values()].filter((o) => o.shiftId === target.shiftId);
    for (const offer of group) {
      if (answerable(offer)) offer.match.response = kind === 'accept' ? 'accepted' : 'declined';
    }
    const late = lateFailures.get(method);
    if (late !== undefined) {
      lateFailures.delete(method);
      throw late;
    }
  }

  return {
    offers,
    calls,
    failNext: (method, error = new FakeMarketplaceError(`${method} failed`, 503)) => {
      failures.set(method, error);
    },
    failNextAfterActing: (
      method,
      error = new FakeMarketplaceError(`${method}: outcome unknown`, 503, true),
    ) => {
      lateFailures.set(method, error);
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    actions: () =>
      calls.filter(
        (call) => call.method === 'acceptInboxOffer' || call.method === 'declineInboxOffer',
      ),
    answersByUnit: () => new Map([...answers].map(([unit, list]) => [unit, [...list]])),
    getInboxOffer: async (offerId) => structuredClone(enter({ method: 'getInboxOffer', offerId })),
    listShiftOffers: async (shiftId) => {
      calls.push({ method: 'listShiftOffers', offerId: shiftId });
      const failure = failures.get('listShiftOffers');
      if (failure !== undefined) {
        failures.delete('listShiftOffers');
        throw failure;
      }
      return [...offers.values()]
        .filter((offer) => offer.shiftId === shiftId)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((offer) => structuredClone(offer));
    },
    acceptInboxOffer: async (offerId, body) => {
      answer('acceptInboxOffer', offerId, body);
    },
    declineInboxOffer: async (offerId, body) => {
      answer('declineInboxOffer', offerId, body);
    },
  };
}
