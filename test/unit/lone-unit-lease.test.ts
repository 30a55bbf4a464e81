/**
 * Covers the window a lone offer's unit on its own record opens (store-ports.ts, UnitStore): an
 * event that took the offer's lease and crashed before its first decision write leaves an offer
 * record with a lease and nothing else. The reconciler still sees the offer undecided and plans
 * an event for it; any event waits while the lease runs; after it, one event decides the offer,
 * once, with its facts. And an event that crashed after recording its intent (on the offer,
 * fenced) is seen in flight by the reconciler, and its redelivery sends the intent once.
 */
import { parseRules } from '../../lambdas/core/config';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { planReconciliation } from '../../lambdas/core/reconcile';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const NOW = Date.parse('2026-05-01T08:01:00Z');
const LEASE_MS = 150_000;
const OFFER = 'aaaaaaaa-0000-4000-8000-00000000000a';

function setup() {
  const marketplace = fakeMarketplace(inboxOffer({ id: OFFER }));
  const store = new MemoryOfferStore();
  const clock = { ms: NOW };
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [{ name: 'psw visits', match: { care_type: ['psw'] }, action: 'accept' }],
      }),
    ),
    role: 'supply',
    now: () => new Date(clock.ms),
    decisionLeaseMs: LEASE_MS,
    actionBudgetMs: 30_000,
  });
  const matched = () => queuedEvent(offerEvent({ offer_id: OFFER, id: OFFER }));
  const plan = () =>
    planReconciliation(
      [
        {
          offerId: OFFER,
          expiresAt: new Date(clock.ms + 3_600_000).toISOString(),
          matchedAt: new Date(NOW - 3_600_000).toISOString(),
          matchResponse: 'pending',
          matchStatus: 'open',
        },
      ],
      (id) => store.getOffer(id),
      new Date(clock.ms),
    );
  return { marketplace, store, clock, processor, matched, plan };
}

describe('a lone offer whose lease-taker crashed', () => {
  it('before deciding: the record holds only the lease; the reconciler plans it, events wait out the lease, then one decides it once', async () => {
    const { marketplace, store, clock, processor, matched, plan } = setup();
    await store.acquireUnitLease(`offer#${OFFER}`, 'crashed-event', new Date(NOW), LEASE_MS);
    expect(await store.getOffer(OFFER)).toEqual({
      offerId: OFFER,
      updatedAt: new Date(NOW).toISOString(),
    });
    expect((await plan()).events.map((e) => e.offerId)).toEqual([OFFER]);

    clock.ms += 1_000;
    await expect(processor.process(matched())).rejects.toBeInstanceOf(UnitBusyError);
    expect(marketplace.actions()).toEqual([]);

    clock.ms = NOW + LEASE_MS + 1;
    const event = matched();
    await expect(processor.process(event)).resolves.toMatchObject({
      outcome: 'decided',
      decision: { action: 'accept' },
    });
    await expect(processor.process(matched())).resolves.toMatchObject({
      outcome: 'already-decided',
    });
    expect(marketplace.answersByUnit().get(OFFER)).toEqual(['accept']);
    expect(await store.getOffer(OFFER)).toMatchObject({
      careType: 'psw',
      matchResponse: 'accepted',
      decision: { state: 'applied', action: 'accept' },
    });
    expect((await plan()).skipped.decided).toBe(1);
  });

  it('after recording its intent: the reconciler sees it in flight, and the redelivery sends it once', async () => {
    const { marketplace, store, clock, processor, matched, plan } = setup();
    const event = matched();
    // The worker dies at the marketplace call, after its intent is recorded on the offer.
    marketplace.failNext('acceptInboxOffer', new Error('invocation ended'));
    await expect(processor.process(event)).rejects.toThrow('invocation ended');
    expect((await store.getOffer(OFFER))?.decision?.state).toBe('intended');
    expect((await plan()).skipped['in-flight']).toBe(1);

    clock.ms += 10_000;
    await expect(processor.process(event)).resolves.toMatchObject({ outcome: 'recovered' });
    expect(marketplace.answersByUnit().get(OFFER)).toEqual(['accept']);
    expect((await store.getOffer(OFFER))?.decision?.state).toBe('applied');
  });
});
