/**
 * Covers the processor's demand alerts (lambdas/core/process-event.ts, handleOtherEvent):
 * OfferDeclinedByAll and OfferExpired on the outbox-offers topic tell a person through the
 * Notifier, for roles demand and both, with the offer id and the types the store holds, before the
 * event is completed; a failed publish releases the claim and the retry notifies (at least once);
 * a duplicate, an inbox OfferExpired, other outbox events, role supply or an unknown topic notify
 * nobody. Review notifications are covered in decide-unit-outcomes.test.ts, the SNS message in
 * sns-notifier.test.ts, the worker's part in worker-notify.test.ts.
 */
import { parseRules, type Role } from '../../lambdas/core/config';
import type { Notifier, OfferNotification } from '../../lambdas/core/ports';
import { createEventProcessor, type ProcessOptions } from '../../lambdas/core/process-event';
import { OFFER_ID, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const OUTBOX: ProcessOptions = { topicName: 'outbox-offers' };

function setup(options: { role?: Role; notifier?: Notifier | null } = {}) {
  const sent: OfferNotification[] = [];
  const store = new MemoryOfferStore();
  const marketplace = fakeMarketplace();
  const notifier =
    options.notifier === undefined
      ? { notify: async (n: OfferNotification) => void sent.push(n) }
      : options.notifier;
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: parseRules(JSON.stringify({ defaultAction: 'review' })),
    role: options.role ?? 'demand',
    now: () => new Date('2026-05-01T08:01:00Z'),
    ...(notifier !== null ? { notifier } : {}),
  });
  return { sent, store, marketplace, process: processor.process.bind(processor) };
}

/** An outbox offer event; extra fields stand for whatever else the marketplace might send. */
const outboxEvent = (eventName: string) =>
  queuedEvent(
    offerEvent({ event_name: eventName, client_name: 'PATIENT-PHI', city: 'Secret-City-PHI' }),
  );

describe('demand alerts', () => {
  it.each([
    ['OfferDeclinedByAll', 'declined-by-all'],
    ['OfferExpired', 'expired'],
  ] as const)(
    'tells a person of %s on outbox-offers with the offer id only, and records the event',
    async (eventName, kind) => {
      const { sent, store, marketplace, process } = setup();
      const queued = outboxEvent(eventName);

      await expect(process(queued, OUTBOX)).resolves.toMatchObject({
        outcome: 'recorded',
        offerId: OFFER_ID,
      });

      expect(sent).toEqual([{ kind, offerId: OFFER_ID }]);
      expect(await store.getOffer(OFFER_ID)).toMatchObject({ lastEventName: eventName });
      expect(marketplace.calls).toEqual([]);
    },
  );

  it('adds the care and offer type when the store’s record of the offer holds them, nothing else of it', async () => {
    const { sent, store, process } = setup({ role: 'both' });
    await store.recordOfferFacts({
      offerId: OFFER_ID,
      careType: 'nursing',
      offerType: 'service',
      matchStatus: 'open',
      updatedAt: '2026-05-01T08:00:00Z',
    });

    await process(outboxEvent('OfferDeclinedByAll'), OUTBOX);

    expect(sent).toEqual([
      { kind: 'declined-by-all', offerId: OFFER_ID, careType: 'nursing', offerType: 'service' },
    ]);
  });

  it('notifies before the event is completed', async () => {
    const { store, process } = setup({
      notifier: {
        notify: async () => {
          expect(store.callsTo('completeEvent')).toEqual([]);
        },
      },
    });
    await process(outboxEvent('OfferExpired'), OUTBOX);
    expect(store.callsTo('completeEvent')).toHaveLength(1);
  });

  it('fails the event when the publish fails (claim released, not done), and the retry notifies', async () => {
    const attempts: OfferNotification[] = [];
    const { store, process } = setup({
      notifier: {
        notify: async (n) => {
          attempts.push(n);
          if (attempts.length === 1) throw new Error('SNS unavailable');
        },
      },
    });
    const queued = outboxEvent('OfferDeclinedByAll');
    const eventId = String((JSON.parse(queued.message) as { event_id: unknown }).event_id);

    await expect(process(queued, OUTBOX)).rejects.toThrow('SNS unavailable');
    expect(store.callsTo('releaseEvent')).toEqual([
      [eventId, { errorName: 'Error', at: expect.any(String) }],
    ]);
    expect(store.events.get(eventId)?.status).toBe('failed');

    await expect(process(queued, OUTBOX)).resolves.toMatchObject({ outcome: 'recorded' });
    expect(attempts).toEqual([
      { kind: 'declined-by-all', offerId: OFFER_ID },
      { kind: 'declined-by-all', offerId: OFFER_ID },
    ]);
    expect(store.events.get(eventId)?.status).toBe('done');
  });

  it('does not notify again for a duplicate delivery', async () => {
    const { sent, process } = setup();
    const queued = outboxEvent('OfferExpired');
    await process(queued, OUTBOX);
    await expect(process(queued, OUTBOX)).resolves.toMatchObject({ outcome: 'duplicate' });
    expect(sent).toHaveLength(1);
  });

  it.each<[string, string, ProcessOptions, Role]>([
    [
      'OfferExpired on inbox-offers (a supply offer)',
      'OfferExpired',
      { topicName: 'inbox-offers' },
      'both',
    ],
    ['an event of no known topic', 'OfferExpired', {}, 'demand'],
    ['another outbox event', 'OfferDeclined', OUTBOX, 'demand'],
    ['role supply', 'OfferDeclinedByAll', OUTBOX, 'supply'],
    ['an event name that is an Object property', 'constructor', OUTBOX, 'demand'],
  ])('notifies nobody for %s, and records it', async (_label, eventName, options, role) => {
    const { sent, store, process } = setup({ role });
    await expect(process(outboxEvent(eventName), options)).resolves.toMatchObject({
      outcome: 'recorded',
    });
    expect(sent).toEqual([]);
    expect(await store.getOffer(OFFER_ID)).toMatchObject({ lastEventName: eventName });
  });

  it('records and acknowledges without a notifier', async () => {
    const { store, process } = setup({ notifier: null });
    await expect(process(outboxEvent('OfferExpired'), OUTBOX)).resolves.toMatchObject({
      outcome: 'recorded',
    });
    expect(store.callsTo('completeEvent')).toHaveLength(1);
  });
});
