/**
 * Covers DynamoOfferStore's offers against dynalite through the real AWS SDK document client: offer
 * facts that never overwrite the decision, an applied decision or assignment never downgraded to
 * intended, seen events, decisions written with their facts. The same contract runs against the
 * in-memory fake the unit tests use, so the fake cannot drift. Sibling:
 * dynamo-offer-store-events.test.ts (event claims, item layout). Use case: process-event.test.ts.
 */
import { DecisionConflictError } from '../../lambdas/adapters/dynamo-offer-store';
import {
  MAX_SEEN_EVENTS,
  type OfferFacts,
  type OfferStore,
  type RecordedAssignment,
  type RecordedDecision,
} from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';
import { at, offerStoreCases, T0, unique } from '../support/dynamo-offer-store-cases';

const TABLE = 'offer-store-offers-test';
const table = useOfferTable(TABLE);

function decision(
  state: RecordedDecision['state'],
  overrides: Partial<RecordedDecision> = {},
): RecordedDecision {
  return {
    action: 'accept',
    rule: 'psw visits',
    reason: 'rule "psw visits": care_type matched',
    comment: 'Glad to help',
    state,
    eventId: 'event-1',
    decidedAt: T0.toISOString(),
    ...overrides,
  };
}

describe.each(offerStoreCases(table, TABLE))('%s', (_name, makeStore) => {
  let store: OfferStore;
  beforeEach(() => {
    store = makeStore();
  });

  describe('offers', () => {
    it('returns undefined for an unknown offer', async () => {
      expect(await store.getOffer(unique('offer'))).toBeUndefined();
    });

    it('creates an offer from facts and merges later facts, leaving unspecified fields alone', async () => {
      const offerId = unique('offer');
      await store.recordOfferFacts({
        offerId,
        shiftId: 'shift-1',
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferMatched',
        lastEventAt: '2026-05-01T08:00:00Z',
        matchResponse: 'pending',
        matchStatus: 'open',
        updatedAt: '2026-05-01T08:00:01Z',
      });
      await store.recordOfferFacts({
        offerId,
        lastEventName: 'OfferClosed',
        lastEventAt: '2026-05-01T09:00:00Z',
        updatedAt: '2026-05-01T09:00:01Z',
      });

      expect(await store.getOffer(offerId)).toEqual({
        offerId,
        shiftId: 'shift-1',
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferClosed',
        lastEventAt: '2026-05-01T09:00:00Z',
        matchResponse: 'pending',
        matchStatus: 'open',
        updatedAt: '2026-05-01T09:00:01Z',
      });
    });

    it('stores a null match status', async () => {
      const offerId = unique('offer');
      await store.recordOfferFacts({
        offerId,
        matchResponse: 'accepted',
        matchStatus: null,
        updatedAt: T0.toISOString(),
      });
      expect((await store.getOffer(offerId))?.matchStatus).toBeNull();
    });

    it('creates the offer item from a decision alone', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('intended'));
      expect(await store.getOffer(offerId)).toEqual({
        offerId,
        updatedAt: T0.toISOString(),
        decision: decision('intended'),
      });
    });

    it('never lets facts overwrite the decision', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied'));
      await store.recordOfferFacts({
        offerId,
        careType: 'psw',
        matchResponse: 'accepted',
        lastEventName: 'OfferMatched',
        updatedAt: at(5000).toISOString(),
      });
      // Even a record that smuggles a decision in (the type forbids it; JavaScript does not).
      const smuggled = {
        offerId,
        lastEventName: 'OfferFulfilled',
        updatedAt: at(6000).toISOString(),
        decision: decision('intended', { action: 'decline' }),
      };
      await store.recordOfferFacts(smuggled);

      const record = await store.getOffer(offerId);
      expect(record?.decision).toEqual(decision('applied'));
      expect(record).toMatchObject({
        careType: 'psw',
        matchResponse: 'accepted',
        lastEventName: 'OfferFulfilled',
      });
    });

    it('moves a decision from intended to applied', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('intended'));
      await store.recordDecision(offerId, decision('applied'));
      expect((await store.getOffer(offerId))?.decision?.state).toBe('applied');
    });

    it('never downgrades an applied decision to intended', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied'));

      await expect(
        store.recordDecision(
          offerId,
          decision('intended', { action: 'decline', eventId: 'event-2' }),
        ),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      expect((await store.getOffer(offerId))?.decision).toEqual(decision('applied'));
    });

    it('lets an intended decision replace a settled dry-run decision (a live connector asked to redecide)', async () => {
      const offerId = unique('offer');
      await store.recordDecision(offerId, decision('applied', { dryRun: true }));
      await store.recordDecision(offerId, decision('intended', { eventId: 'event-live' }));
      expect((await store.getOffer(offerId))?.decision).toEqual(
        decision('intended', { eventId: 'event-live' }),
      );
    });

    it('lets an intended decision replace exactly the settled decision it names (an operator replay), no other', async () => {
      const id = unique('offer');
      await store.recordDecision(id, decision('applied', { action: 'review', eventId: 'event-a' }));
      await expect(
        store.recordDecision(
          id,
          decision('intended', { eventId: 'event-b', replacesEventId: 'event-x' }),
        ),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      await store.recordDecision(
        id,
        decision('intended', { eventId: 'event-b', replacesEventId: 'event-a' }),
      );
      expect((await store.getOffer(id))?.decision).toMatchObject({
        state: 'intended',
        eventId: 'event-b',
      });
    });

    it('keeps the events seen in order, once each, the latest MAX_SEEN_EVENTS', async () => {
      const id = unique('offer');
      const seen = (n: number) => ({
        name: n === 0 ? 'OfferMatched' : 'OfferClosed',
        at: at(n).toISOString(),
        eventId: `event-${n}`,
      });
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(0),
      });
      // A retried write of the same event appends nothing.
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(0),
      });
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: T0.toISOString(),
        seenEvent: seen(1),
      });
      expect((await store.getOffer(id))?.events).toEqual([seen(0), seen(1)]);
      for (let n = 2; n < MAX_SEEN_EVENTS + 5; n++)
        await store.recordOfferFacts({
          offerId: id,
          updatedAt: T0.toISOString(),
          seenEvent: seen(n),
        });
      const events = (await store.getOffer(id))?.events ?? [];
      expect(events).toHaveLength(MAX_SEEN_EVENTS);
      expect(events[0]).toEqual(seen(5));
      expect(events.at(-1)).toEqual(seen(MAX_SEEN_EVENTS + 4));
    });

    it('writes a decision with the offer facts and event given, the event once on a retry', async () => {
      const offerId = unique('offer');
      const seen = { name: 'OfferMatched', at: T0.toISOString(), eventId: 'event-1' };
      const facts: OfferFacts = {
        offerId,
        careType: 'psw',
        offerType: 'visit',
        lastEventName: 'OfferMatched',
        lastEventAt: T0.toISOString(),
        matchResponse: 'pending',
        updatedAt: T0.toISOString(),
        seenEvent: seen,
      };
      await store.recordDecision(offerId, decision('intended'), facts);
      expect(await store.getOffer(offerId)).toMatchObject({
        careType: 'psw',
        decision: { state: 'intended' },
        events: [seen],
      });
      await store.recordDecision(offerId, decision('applied'), {
        ...facts,
        matchResponse: 'accepted',
        updatedAt: at(1).toISOString(),
      });
      expect(await store.getOffer(offerId)).toEqual({
        ...facts,
        seenEvent: undefined,
        matchResponse: 'accepted',
        updatedAt: at(1).toISOString(),
        decision: decision('applied'),
        events: [seen],
      });
      // An applied decision stays applied: an intended one with facts writes neither.
      await expect(store.recordDecision(offerId, decision('intended'), facts)).rejects.toThrow(
        DecisionConflictError,
      );
      await expect(
        store.recordDecision(offerId, decision('applied'), { ...facts, offerId: 'another' }),
      ).rejects.toThrow();
    });

    it('moves an assignment from intended to applied, and never back', async () => {
      const offerId = unique('offer');
      const assignment = (
        state: RecordedAssignment['state'],
        matchId = 'match-1',
      ): RecordedAssignment => ({
        matchId,
        policy: 'first-accepted',
        state,
        eventId: 'event-1',
        decidedAt: T0.toISOString(),
      });
      const at = T0.toISOString();
      await store.recordOfferFacts({ offerId, assignment: assignment('intended'), updatedAt: at });
      await store.recordOfferFacts({ offerId, assignment: assignment('applied'), updatedAt: at });

      await expect(
        store.recordOfferFacts({
          offerId,
          assignment: assignment('intended', 'match-2'),
          updatedAt: at,
        }),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      // Facts without an assignment still update freely.
      await store.recordOfferFacts({ offerId, lastEventName: 'OfferAccepted', updatedAt: at });
      expect(await store.getOffer(offerId)).toMatchObject({
        assignment: assignment('applied'),
        lastEventName: 'OfferAccepted',
      });
    });

    it('keeps decision fields that are absent out of the stored decision', async () => {
      const offerId = unique('offer');
      const review: RecordedDecision = {
        action: 'review',
        rule: 'default',
        reason: 'no rule matched',
        state: 'applied',
        eventId: 'e',
        decidedAt: T0.toISOString(),
      };
      await store.recordDecision(offerId, review);
      expect((await store.getOffer(offerId))?.decision).toEqual(review);
    });
  });
});
