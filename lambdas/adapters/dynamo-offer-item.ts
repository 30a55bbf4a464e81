import { MAX_SEEN_EVENTS } from '../core/ports';
import { trimOldest } from './dynamo-writes';
import { OFFER_TABLE } from './offer-table-keys';
import type { Documents } from './dynamo-documents';

/**
 * The offer item (`pk = OFFER#<offer id>`, `sk = OFFER`), shared by the two stores that write it:
 * DynamoOfferStore (facts, decisions, seen events) and DynamoUnitStore (a lone offer's decision
 * unit, whose lease and decision live on the offer's own item).
 */

const OFFER_SK = 'OFFER';
const { partitionKey: PK, sortKey: SK } = OFFER_TABLE;

export function offerKey(offerId: string): Record<string, string> {
  return { [PK]: `${OFFER_TABLE.offerKeyPrefix}${offerId}`, [SK]: OFFER_SK };
}

/** Drops the oldest seen events beyond MAX_SEEN_EVENTS, once an append left `length` of them. */
export async function trimSeenEvents(
  client: Documents,
  tableName: string,
  offerId: string,
  length: number,
): Promise<void> {
  await trimOldest(
    client,
    { tableName, key: offerKey(offerId), attribute: 'events' },
    length,
    MAX_SEEN_EVENTS,
  );
}
