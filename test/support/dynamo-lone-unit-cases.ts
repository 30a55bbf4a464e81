/**
 * Shared by the lone offer's unit suites (test/integration/dynamo-lone-unit-*.test.ts): the lease
 * length and clock, ids unique per test (so tests share one table without seeing each other), a
 * lone offer's recorded decision (`lone`) and the offer facts written with it (`facts`).
 */
import type { OfferFacts, RecordedDecision } from '../../lambdas/core/ports';

export const LEASE_MS = 150_000;
export const T0 = new Date('2026-05-01T08:01:00Z');
export const at = (ms: number) => new Date(T0.getTime() + ms);

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${++counter}-0000-4000-8000-000000000000`;

export function lone(offerId: string, state: RecordedDecision['state'], eventId = 'event-a') {
  const decision: RecordedDecision = {
    action: 'accept',
    rule: 'psw visits',
    reason: 'rule "psw visits": care_type matched',
    state,
    eventId,
    decidedAt: T0.toISOString(),
    unitKey: `offer#${offerId}`,
    offerIds: [offerId],
    answeredVia: offerId,
  };
  return decision;
}

export function facts(
  offerId: string,
  seenEventId: string,
  extra: Partial<OfferFacts> = {},
): OfferFacts {
  return {
    offerId,
    careType: 'psw',
    offerType: 'visit',
    matchResponse: 'accepted',
    matchStatus: 'open',
    lastEventName: 'OfferMatched',
    lastEventAt: '2026-05-01T08:00:10Z',
    seenEvent: { name: 'OfferMatched', at: '2026-05-01T08:00:10Z', eventId: seenEventId },
    updatedAt: T0.toISOString(),
    ...extra,
  };
}
