import type { RecordedDecision } from '../core/ports';
import { LONE_UNIT_PREFIX } from '../core/unit-decision';
import { defined } from './dynamo-writes';

/**
 * A decision as an item stores it (offer items and unit items).
 *
 * DynamoDB bills a write by the larger of the item's size before and after it, in 1 KB steps, so
 * every byte an offer item carries past 1 KB doubles the cost of each later write to it. The
 * commonest unit is a lone offer (`offer#<id>`), whose decision repeats that id three times:
 * `unitKey` (`offer#<id>`), `offerIds` (`[<id>]`) and `answeredVia` (`<id>`). On the offer's own
 * item, which is also its unit's (and on the `UNIT#offer#<id>` items of the layout before), the key
 * already holds the id: the three are left out and `ownOffer: true` stands for them (about 140
 * bytes less). Read back through decisionFromItem,
 * every reader (the worker, the reconciler, the CLI) sees the decision whole, as it was written.
 *
 * Nothing else changes: the conditional writes read only `state`, `dryRun` and `eventId`, which are
 * stored as they are. A decision written whole (before this, or of another unit) reads as it is.
 */

/** The stored flag that stands for `unitKey`, `offerIds` and `answeredVia` of the item's own offer. */
const OWN_OFFER = 'ownOffer';

/** Whether `decision` is the decision of `offerId`'s own lone unit, answered through it. */
function isOwnLoneDecision(decision: RecordedDecision, offerId: string | undefined): boolean {
  return (
    offerId !== undefined &&
    decision.unitKey === `${LONE_UNIT_PREFIX}${offerId}` &&
    decision.offerIds?.length === 1 &&
    decision.offerIds[0] === offerId &&
    decision.answeredVia === offerId
  );
}

/**
 * The decision as stored on the item of `offerId` (an offer item, or the unit item of that lone
 * offer; undefined for any other unit): without undefined values, and compact when it is that
 * offer's own lone unit's.
 */
export function decisionItem(
  decision: RecordedDecision,
  offerId: string | undefined,
): Record<string, unknown> {
  const stored: Record<string, unknown> = defined(decision);
  if (!isOwnLoneDecision(decision, offerId)) return stored;
  delete stored.unitKey;
  delete stored.offerIds;
  delete stored.answeredVia;
  stored[OWN_OFFER] = true;
  return stored;
}

/** The decision an item holds, whole again (see decisionItem), or undefined when it holds none. */
export function decisionFromItem(
  stored: unknown,
  offerId: string | undefined,
): RecordedDecision | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { [OWN_OFFER]: own, ...decision } = stored as Record<string, unknown>;
  if (own !== true) return stored as RecordedDecision;
  if (offerId === undefined) return decision as unknown as RecordedDecision;
  return {
    ...(decision as unknown as RecordedDecision),
    unitKey: `${LONE_UNIT_PREFIX}${offerId}`,
    offerIds: [offerId],
    answeredVia: offerId,
  };
}
