import { isAnswerable } from './judge';
import {
  type InboxOffer,
  isFinal,
  type LastEvent,
  type MatchResponse,
  type OfferFacts,
  type OfferStore,
  type RecordedDecision,
  type UnitStore,
} from './ports';
import { loneOfferOfUnit, storedDecision } from './unit-decision';

/**
 * What the unit decider writes: a unit's decision on the unit (fenced by its lease) and on each of
 * its offers, and each offer's facts (what the marketplace showed of it, and the last event). A
 * lone offer's unit is its offer's own record: one fenced write holds both.
 */

/**
 * The unit an attempt at an event holds the lease of, as `owner` (attemptOwner); `released` once a
 * settled decision gave it back.
 */
export interface HeldUnit {
  unitKey: string;
  owner: string;
  /** The event deciding: the `eventId` of the decisions it records. */
  eventId: string;
  released: boolean;
}

/** The event's own offer id with the event's fields, written on that offer's facts. */
export type OfferEvent = LastEvent & { offerId: string };

export interface UnitRecordsDeps {
  store: OfferStore;
  units: UnitStore;
  now: () => Date;
  /** When a recorded decision counts as final (see `isFinal`). */
  finality: { redecideDryRun: boolean };
}

export function createUnitRecords(deps: UnitRecordsDeps) {
  const { store, units, now, finality } = deps;

  /**
   * Records the unit's decision (fenced by the lease), then the same on each of its offers, each
   * with its facts when given (one write per offer). The unit's record keeps the decision whole,
   * its text (reason and bounded explanations) included; the copies on a shift's offers are
   * written without it (storedDecision), so items written again by later events stay small.
   * Every store, in memory or DynamoDB, keeps what it is given. A settled decision gives the lease
   * back in the unit's write: its copies need no lease (settled decisions never change, see
   * completeCopies). A lone offer's unit is that offer's record (UnitStore): the unit's write is
   * the offer's, its facts with it, and no copy follows.
   */
  async function record(
    held: HeldUnit,
    offerIds: readonly string[],
    decision: RecordedDecision,
    facts: readonly OfferFacts[] = [],
  ): Promise<void> {
    const settled = decision.state !== 'intended';
    const lone = loneOfferOfUnit(held.unitKey);
    const factsOf = new Map(facts.map((f) => [f.offerId, f]));
    const loneFacts = lone === undefined ? undefined : factsOf.get(lone);
    const stored = storedDecision(decision);
    await units.recordUnitDecision(held.unitKey, held.owner, now(), decision, {
      ...(settled ? { releaseLease: true } : {}),
      ...(loneFacts !== undefined ? { facts: loneFacts } : {}),
    });
    if (settled) held.released = true;
    for (const offerId of offerIds) {
      if (offerId !== lone) await store.recordDecision(offerId, stored, factsOf.get(offerId));
    }
    for (const f of facts)
      if (!offerIds.includes(f.offerId) && f.offerId !== lone) await store.recordOfferFacts(f);
  }

  async function recordFacts(
    offers: readonly InboxOffer[],
    lastEvent: OfferEvent,
    response?: MatchResponse,
  ): Promise<void> {
    for (const facts of factsOf(offers, lastEvent, response)) await store.recordOfferFacts(facts);
  }

  /** What each offer's record says of it (and, on the event's own offer, of the event). */
  function factsOf(
    offers: readonly InboxOffer[],
    lastEvent: OfferEvent,
    response?: MatchResponse,
  ): OfferFacts[] {
    const at = now().toISOString();
    return offers.map((offer) => {
      const facts: OfferFacts = {
        offerId: offer.id,
        careType: offer.careType,
        offerType: offer.offerType,
        matchResponse:
          response !== undefined && isAnswerable(offer) ? response : offer.match.response,
        matchStatus: offer.match.status,
        updatedAt: at,
        ...(offer.id === lastEvent.offerId ? lastEvent : {}),
      };
      if (offer.shiftId !== undefined) facts.shiftId = offer.shiftId;
      return facts;
    });
  }

  /**
   * An offer already carries its unit's settled decision: make sure the unit's other offers do
   * too (a crash can fall between the copies). Settled decisions never change, so this needs no
   * lease; offers already settled are not written again. A shift's copies are written without
   * the text, which the unit's record keeps; a lone offer's record is its unit's, and keeps it.
   */
  async function completeCopies(decision: RecordedDecision, knownSettled?: string): Promise<void> {
    const lone = decision.unitKey === undefined ? undefined : loneOfferOfUnit(decision.unitKey);
    for (const id of decision.offerIds ?? []) {
      if (id === knownSettled) continue;
      if (!isFinal((await store.getOffer(id))?.decision, finality))
        await store.recordDecision(id, id === lone ? decision : storedDecision(decision));
    }
  }

  return { record, recordFacts, factsOf, completeCopies };
}
