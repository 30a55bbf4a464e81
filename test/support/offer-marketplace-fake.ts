/**
 * A stateful MarketplaceApi fake (a plain object literal) for unit tests: serves inbox offers by
 * id, records every call, moves a match to `accepted`/`declined` when the call succeeds (as the
 * marketplace does), and can be told to fail a call.
 */
import type { InboxOffer, MarketplaceApi } from '../../lambdas/core/ports';

type Method = keyof MarketplaceApi;

export interface MarketplaceCall {
  method: Method;
  offerId: string;
  body?: unknown;
}

export interface FakeMarketplace extends MarketplaceApi {
  offers: Map<string, InboxOffer>;
  calls: MarketplaceCall[];
  /** The next call to `method` throws `error` without taking effect (once). */
  failNext(method: Method, error?: Error): void;
  callsTo(method: Method): MarketplaceCall[];
  /** Accept and decline calls: the ones that change something in the marketplace. */
  actions(): MarketplaceCall[];
}

export function fakeMarketplace(...initial: InboxOffer[]): FakeMarketplace {
  const offers = new Map(initial.map((offer) => [offer.id, structuredClone(offer)]));
  const calls: MarketplaceCall[] = [];
  const failures = new Map<Method, Error>();

  function enter(call: MarketplaceCall): InboxOffer {
    calls.push(structuredClone(call));
    const failure = failures.get(call.method);
    if (failure !== undefined) {
      failures.delete(call.method);
      throw failure;
    }
    const offer = offers.get(call.offerId);
    if (offer === undefined) throw new Error(`no such offer ${call.offerId}`);
    return offer;
  }

  return {
    offers,
    calls,
    failNext: (method, error = new Error(`${method} failed`)) => {
      failures.set(method, error);
    },
    callsTo: (method) => calls.filter((call) => call.method === method),
    actions: () => calls.filter((call) => call.method === 'acceptInboxOffer' || call.method === 'declineInboxOffer'),
    getInboxOffer: async (offerId) => structuredClone(enter({ method: 'getInboxOffer', offerId })),
    listShiftOffers: async (shiftId) => {
      calls.push({ method: 'listShiftOffers', offerId: shiftId });
      return [...offers.values()].filter((offer) => offer.shiftId === shiftId).sort((a, b) => a.id.localeCompare(b.id)).map((offer) => structuredClone(offer));
    },
    acceptInboxOffer: async (offerId, body) => {
      enter(body === undefined ? { method: 'acceptInboxOffer', offerId } : { method: 'acceptInboxOffer', offerId, body });
      const offer = offers.get(offerId);
      if (offer !== undefined) offer.match.response = 'accepted';
    },
    declineInboxOffer: async (offerId, body) => {
      enter(body === undefined ? { method: 'declineInboxOffer', offerId } : { method: 'declineInboxOffer', offerId, body });
      const offer = offers.get(offerId);
      if (offer !== undefined) offer.match.response = 'declined';
    },
  };
}
