/**
 * The offer store as the reconciler uses it, its module (and the DynamoDB client's packages, a
 * sixth of the reconciler's start) loaded on the first call. A run reads the store only for inbox
 * offers still unanswered after the grace period: a run that finds none (the inbox empty or every
 * offer answered) never loads it. Offers left for a person to review stay unanswered until
 * someone answers them, and are read on every run: with such a backlog each run loads it, as
 * before. Why and how: deferred-publishers.ts.
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
