/**
 * The offer an operator means. Logs, notifications and the sandbox print the first 8 characters
 * of an offer id; `offer` and `replay` take those too. An id with a record is used as given;
 * otherwise a prefix of at least 8 characters that exactly one offer record starts with stands
 * for that offer (found by a Scan of the table, only when the id as given has no record).
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import type { OfferRecord } from '../../lambdas/core/ports';
import type { CommandContext } from './resources';
import { scanTable } from './table-scan';

/** Shorter prefixes are too likely to match several offers to be worth a scan. */
export const MIN_OFFER_ID_PREFIX = 8;

type OfferIdMatch =
  | { kind: 'prefix'; offerId: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; candidates: string[] };

/** Offer ids whose record key starts with `prefix` (at most `limit`). */
async function offersStartingWith(
  ctx: CommandContext,
  prefix: string,
  limit: number,
): Promise<string[]> {
  const { partitionKey, offerKeyPrefix } = OFFER_TABLE;
  const found: string[] = [];
  const pages = scanTable(ctx, {
    FilterExpression: 'begins_with(#pk, :prefix)',
    ExpressionAttributeNames: { '#pk': partitionKey },
    ExpressionAttributeValues: { ':prefix': `${offerKeyPrefix}${prefix}` },
    ProjectionExpression: '#pk',
  });
  for await (const items of pages) {
    for (const item of items) {
      const key: unknown = item[partitionKey];
      const offerId = typeof key === 'string' ? key.slice(offerKeyPrefix.length) : undefined;
      if (offerId !== undefined && !found.includes(offerId)) found.push(offerId);
    }
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/**
 * For an id that has no record: `prefix` with the one offer it is the start of, `ambiguous` with
 * a few candidates, or `none` (also for a prefix shorter than MIN_OFFER_ID_PREFIX).
 */
async function matchOfferPrefix(ctx: CommandContext, given: string): Promise<OfferIdMatch> {
  if (given.length < MIN_OFFER_ID_PREFIX) return { kind: 'none' };
  const candidates = await offersStartingWith(ctx, given, 5);
  const only = candidates.at(0);
  if (only === undefined) return { kind: 'none' };
  if (candidates.length === 1) return { kind: 'prefix', offerId: only };
  return { kind: 'ambiguous', candidates };
}

/** The offer an operator named: its id and record (none when nothing matched), or the candidates. */
export type FoundOffer =
  | { kind: 'found'; offerId: string; record: OfferRecord | undefined }
  | { kind: 'ambiguous'; candidates: string[] };

/**
 * Reads the record of `given`, or of the one offer `given` is the start of; `command` names the
 * progress step shown while the table is scanned for a prefix.
 */
export async function findOffer(
  ctx: CommandContext,
  given: string,
  command: string,
): Promise<FoundOffer> {
  const store = new DynamoOfferStore(ctx.clients.documents, ctx.resources.tableName);
  const record = await store.getOffer(given);
  if (record !== undefined) return { kind: 'found', offerId: given, record };
  ctx.progress.step(`${command}: looking for an offer id starting with ${given}`);
  const match = await matchOfferPrefix(ctx, given);
  if (match.kind === 'ambiguous') return match;
  if (match.kind === 'none') return { kind: 'found', offerId: given, record: undefined };
  return { kind: 'found', offerId: match.offerId, record: await store.getOffer(match.offerId) };
}

/** The problem line for a prefix that starts several offer ids. */
export const ambiguousOfferProblem = (given: string, candidates: readonly string[]): string =>
  `${given} starts several offer ids (${candidates.join(', ')}): give more of it`;
