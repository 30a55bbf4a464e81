/**
 * Covers the sandbox's count of applied decisions per offer (sandbox/counting-store.ts): copies
 * of one decision count once, a second decision counts twice, and an operator's replay that
 * names the decision it replaces counts in its place.
 */
import type { RecordedDecision } from '../../lambdas/core/ports';
import { countAppliedWrites } from '../../sandbox/counting-store';
import { MemoryOfferStore } from '../support/offer-memory-store';

const applied = (eventId: string, extra: Partial<RecordedDecision> = {}): RecordedDecision => ({
  action: 'review',
  rule: 'default',
  reason: 'no rule matched',
  state: 'applied',
  eventId,
  decidedAt: `2026-11-30T10:00:0${eventId.length % 10}Z`,
  ...extra,
});

describe('countAppliedWrites', () => {
  it('counts distinct applied decisions, a replay in place of the one it replaces', async () => {
    const counts = new Map<string, number>();
    const store = countAppliedWrites(new MemoryOfferStore(), counts);
    await store.recordDecision('o-1', applied('e-1'));
    await store.recordDecision('o-1', applied('e-1'));
    expect(counts.get('o-1')).toBe(1);
    await store.recordDecision('o-1', applied('operator-o-1', { replacesEventId: 'e-1' }));
    expect(counts.get('o-1')).toBe(1);
    await store.recordDecision('o-2', applied('e-2'));
    await store.recordDecision('o-2', applied('e-22', { action: 'accept' }));
    expect(counts.get('o-2')).toBe(2);
  });

  it('passes the facts written with a decision on to the store', async () => {
    const inner = new MemoryOfferStore();
    const store = countAppliedWrites(inner, new Map());
    await store.recordDecision('o-3', applied('e-3'), {
      offerId: 'o-3',
      updatedAt: '2026-11-30T10:00:00Z',
      lastEventName: 'OfferMatched',
    });
    expect((await inner.getOffer('o-3'))?.lastEventName).toBe('OfferMatched');
  });
});
