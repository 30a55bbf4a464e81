/**
 * The offer store as the reconciler uses it, its module (and the DynamoDB client's packages, a
 * sixth of the reconciler's start) loaded on the first call: a run reads the store only for inbox
 * offers still unanswered after the grace period, so most runs never call it. Why and how:
 * deferred-publishers.ts.
 */
import type { OfferStore } from '../core/ports';
import { onFirstLoad } from './first-use';

/** The two store calls a reconciler run makes: read an offer, mark it enqueued. */
export type ReconcilerStore = Pick<OfferStore, 'getOffer' | 'recordReconcilerEnqueue'>;

export function deferredReconcilerStore(tableName: string): ReconcilerStore {
  const store = onFirstLoad(async () =>
    (await import('./dynamo-offer-store')).dynamoOfferStore(tableName),
  );
  return {
    getOffer: async (offerId) => (await store()).getOffer(offerId),
    recordReconcilerEnqueue: async (offerId, at) =>
      (await store()).recordReconcilerEnqueue(offerId, at),
  };
}
