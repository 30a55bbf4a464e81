/**
 * Covers the sandbox's count of applied decisions per offer (sandbox/counting-store.ts): copies
 * of one decision count once, a second decision counts twice, and an operator's replay that
 * names the decision it replaces counts in its place; a lone offer's decision, written through
 * the unit store (its unit is the offer's record), counts in the same tally as its copies.
 */
import type { RecordedDecision } from '../../lambdas/core/ports';
import { appliedWriteCounter } from '../../sandbox/counting-store';
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

describe('appliedWriteCounter', () => {
  it('counts distinct applied decisions, a replay in place of the one it replaces', async () => {
    const counts = new Map<string, number>();
    const store = appliedWriteCounter(counts).store(new MemoryOfferStore());
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
    const store = appliedWriteCounter(new Map()).store(inner);
    await store.recordDecision('o-3', applied('e-3'), {
      offerId: 'o-3',
      updatedAt: '2026-11-30T10:00:00Z',
      lastEventName: 'OfferMatched',
    });
    expect((await inner.getOffer('o-3'))?.lastEventName).toBe('OfferMatched');
  });

  it("counts a lone offer's applied unit decision with the offer's copies, and no shift unit's", async () => {
    const counts = new Map<string, number>();
    const counter = appliedWriteCounter(counts);
    const inner = new MemoryOfferStore();
    const units = counter.units(inner);
    const store = counter.store(inner);
    const now = new Date('2026-11-30T10:00:00Z');
    await units.acquireUnitLease('offer#o-4', 'e-4', now, 60_000);
    await units.recordUnitDecision('offer#o-4', 'e-4', now, {
      ...applied('e-4'),
      state: 'intended',
      reason: 'no rule matched',
    });
    expect(counts.get('o-4')).toBeUndefined();
    await units.recordUnitDecision('offer#o-4', 'e-4', now, applied('e-4'), { releaseLease: true });
    // A repair copying the same decision on the offer: still one.
    await store.recordDecision('o-4', applied('e-4'));
    expect(counts.get('o-4')).toBe(1);
    expect((await inner.getOffer('o-4'))?.decision?.state).toBe('applied');
    await units.acquireUnitLease('offer#o-4', 'e-5', now, 60_000);
    await units.recordUnitDecision('offer#o-4', 'e-5', now, applied('e-5', { action: 'accept' }));
    expect(counts.get('o-4')).toBe(2);

    await units.acquireUnitLease('shift#s-1', 'e-6', now, 60_000);
    await units.recordUnitDecision('shift#s-1', 'e-6', now, applied('e-6'));
    expect([...counts.keys()]).toEqual(['o-4']);
  });
});
