import { MAX_SEEN_EVENTS } from '../core/ports';
import { isConditionFailure } from './dynamo-writes';
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

/**
 * Drops the oldest seen events beyond MAX_SEEN_EVENTS, once an append left `length` of them. The
 * trim is conditional on that length: a concurrent append makes it a no-op, and the next append
 * trims.
 */
export async function trimSeenEvents(
  client: Documents,
  tableName: string,
  offerId: string,
  length: number,
): Promise<void> {
  if (length <= MAX_SEEN_EVENTS) return;
  const drop = Array.from({ length: length - MAX_SEEN_EVENTS }, (_, i) => `#events[${i}]`);
  await client
    .update({
      TableName: tableName,
      Key: offerKey(offerId),
      UpdateExpression: `REMOVE ${drop.join(', ')}`,
      ConditionExpression: 'size(#events) = :length',
      ExpressionAttributeNames: { '#events': 'events' },
      ExpressionAttributeValues: { ':length': length },
    })
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}
