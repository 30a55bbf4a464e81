/**
 * The offer store as the reconciler uses it, its DynamoDB client built on the first call
 * (first-use.ts). A run reads the store only for inbox offers still unanswered after the grace
 * period: a run that finds none (the inbox empty or every offer answered) never builds it. Offers
 * left for a person to review stay unanswered until someone answers them, and are read on every
 * run: with such a backlog each run builds it.
 */
import type { OfferStore } from '../core/ports';
import { dynamoOfferStore } from './dynamo-offer-store';
import { onFirstUse } from './first-use';

/** The two store calls a reconciler run makes: read an offer, mark it enqueued. */
export type ReconcilerStore = Pick<OfferStore, 'getOffer' | 'recordReconcilerEnqueue'>;

export function deferredReconcilerStore(tableName: string): ReconcilerStore {
  const store = onFirstUse(() => dynamoOfferStore(tableName));
  return {
    getOffer: async (offerId) => (await store()).getOffer(offerId),
    recordReconcilerEnqueue: async (offerId, at) =>
      (await store()).recordReconcilerEnqueue(offerId, at),
  };
}
