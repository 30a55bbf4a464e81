/**
 * Covers where a decision's text (reason, explanation) lives: whole on an `intended` decision (a
 * crashed intent is sent again and a review notified again from it), kept on the settled decision
 * on the unit's record (a lone offer's own record; a shift's unit), left off the copies on a
 * shift's offers (unit-decision.ts storedDecision), never written by a later event, and on no
 * event item; old items read as they are. Through the event processor and the in-memory stores.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import type {
  OfferNotification,
  RecordedDecision,
  SettledDecision,
} from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { storedDecision } from '../../lambdas/core/unit-decision';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const NOW = Date.parse('2026-05-01T08:01:00Z');

const RULES: Rules = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [
      { name: 'no nursing', match: { care_type: ['nursing'] }, action: 'decline' },
      { name: 'psw', match: { care_type: ['psw'] }, action: 'accept' },
    ],
  }),
);

function setup(
  ids: string[],
  options: { shiftId?: string; careType?: 'psw' | 'nursing' | 'unknown' } = {},
) {
  const offers = ids.map((id) =>
    inboxOffer({
      id,
      careType: options.careType ?? 'psw',
      ...(options.shiftId !== undefined ? { shiftId: options.shiftId } : {}),
    }),
  );
  const marketplace = fakeMarketplace(...offers);
  const store = new MemoryOfferStore();
  const notified: OfferNotification[] = [];
  let failNotify = false;
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: RULES,
    role: 'supply',
    now: () => new Date(NOW),
    notifier: {
      notify: async (n) => {
        if (failNotify) {
          failNotify = false;
          throw new Error('SNS unavailable');
        }
        notified.push(n);
      },
    },
  });
  const event = (offerId: string) => offerEvent({ offer_id: offerId, id: offerId });
  /** The text of the offer's settled decision, as its unit's record keeps it. */
  const text = async (offerId: string) => {
    const decision = (await store.getOffer(offerId))?.decision;
    const unit =
      decision?.unitKey === undefined ? undefined : await store.getUnitDecision(decision.unitKey);
    if (unit === undefined || unit.eventId !== decision?.eventId) return undefined;
    return {
      reason: unit.reason,
      explanation: unit.explanation,
      ...(unit.offers !== undefined
        ? {
            offers: unit.offers.map(({ offerId: id, explanation }) => ({
              offerId: id,
              explanation,
            })),
          }
        : {}),
    };
  };
  // In order: a lone offer's intent written with its lease, the units' writes, the offers' copies.
  const writes = () =>
    store
      .callsTo('acquireWithIntent')
      .map((args) => args[4] as RecordedDecision)
      .concat(store.callsTo('recordUnitDecision').map((args) => args[3] as RecordedDecision))
      .concat(store.callsTo('recordDecision').map((args) => args[1] as RecordedDecision));
  return {
    marketplace,
    store,
    processor,
    notified,
    event,
    text,
    writes,
    failNextNotify: () => (failNotify = true),
  };
}

describe('a decision’s text', () => {
  it('is whole on the intent and on the applied decision of a lone offer’s record, on no event item', async () => {
    const { store, processor, event, text, writes } = setup(['x']);
    const matched = event('x');
    const result = await processor.process(queuedEvent(matched));

    expect(result.outcome).toBe('decided');
    // The worker logs the reason of the decision made now: the result carries it.
    expect(result.decision?.reason).toMatch(/psw/);
    const [intent, applied] = writes();
    expect(intent).toMatchObject({ state: 'intended', reason: result.decision?.reason });
    expect(intent.explanation?.length).toBeGreaterThan(0);
    expect(applied).toEqual({ ...intent, state: 'applied' });
    const stored = (await store.getOffer('x'))?.decision;
    expect(stored).toEqual(applied);
    expect(stored?.eventId).toBe(matched.event_id);
    expect(await text('x')).toEqual({
      reason: result.decision?.reason,
      explanation: result.decision?.explanation,
    });
    expect(store.events.size).toBe(0);
  });

  it('is written only by the event that settled the decision, not by a later one', async () => {
    const { processor, event, text, writes } = setup(['x']);
    const first = event('x');
    await processor.process(queuedEvent(first));
    const kept = await text('x');
    const written = writes().length;
    const later = event('x');
    const result = await processor.process(queuedEvent(later));

    expect(result.outcome).toBe('already-decided');
    expect(result.decision).toBeUndefined();
    expect(writes()).toHaveLength(written);
    expect(kept?.reason).toMatch(/psw/);
    expect(await text('x')).toEqual(kept);
  });

  it('stays on the intent across a crash, so the retry sends it and keeps its text', async () => {
    const { marketplace, store, processor, event, text } = setup(['x']);
    const matched = event('x');
    marketplace.failNext('acceptInboxOffer', new Error('connection reset'));
    await expect(processor.process(queuedEvent(matched))).rejects.toThrow('connection reset');
    const intent = (await store.getOffer('x'))?.decision;
    expect(intent).toMatchObject({ state: 'intended', reason: expect.stringMatching(/psw/) });

    const result = await processor.process(queuedEvent(matched));

    expect(result.outcome).toBe('recovered');
    // The worker's "Event processed" line logs this reason: the intent kept it.
    expect(result.decision?.reason).toBe(intent?.reason);
    // The failed call, then the intent sent again.
    expect(marketplace.actions().map((c) => c.method)).toEqual([
      'acceptInboxOffer',
      'acceptInboxOffer',
    ]);
    expect(await text('x')).toEqual({
      reason: intent?.reason,
      explanation: intent?.explanation,
    });
  });

  it('of a review is notified again from the stored intent after a failed notification', async () => {
    // An unknown care type cannot be judged: review.
    const { store, processor, notified, event, text, failNextNotify } = setup(['x'], {
      careType: 'unknown',
    });
    const matched = event('x');
    failNextNotify();
    await expect(processor.process(queuedEvent(matched))).rejects.toThrow('SNS unavailable');
    const intent = (await store.getOffer('x'))?.decision;
    expect(intent).toMatchObject({ state: 'intended', action: 'review' });
    expect(intent?.explanation?.length).toBeGreaterThan(0);

    await processor.process(queuedEvent(matched));

    expect(notified.map((n) => n.explanation)).toEqual([intent?.explanation]);
    expect((await store.getOffer('x'))?.decision?.state).toBe('applied');
    expect(await text('x')).toEqual({
      reason: intent?.reason,
      explanation: intent?.explanation,
    });
  });

  it('of an intent resolved by the marketplace’s state is kept on the resolved decision', async () => {
    const { marketplace, store, processor, event, text } = setup(['x']);
    const realAccept = marketplace.acceptInboxOffer.bind(marketplace);
    marketplace.acceptInboxOffer = async (offerId, body) => {
      // Someone answered between our read and our answer: refused, then read and resolved.
      const offer = marketplace.offers.get(offerId);
      if (offer !== undefined) offer.match = { ...offer.match, response: 'declined' };
      return realAccept(offerId, body);
    };
    const matched = event('x');
    const result = await processor.process(queuedEvent(matched));

    expect(result).toMatchObject({ outcome: 'resolved', resolution: 'answered' });
    const stored = (await store.getOffer('x'))?.decision;
    expect(stored).toMatchObject({ state: 'resolved', action: 'accept' });
    expect((await text('x'))?.reason).toMatch(/psw/);
  });

  it('of a shift is on its unit’s record, left off every offer’s copy, each offer’s own explanation too', async () => {
    const { store, processor, event, text, writes } = setup(['a', 'b'], { shiftId: 'shift-1' });
    const matched = event('a');
    await processor.process(queuedEvent(matched));

    const intent = writes()[0];
    expect(intent.offers?.every((o) => (o.explanation?.length ?? 0) > 0)).toBe(true);
    for (const id of ['a', 'b']) {
      const copy = (await store.getOffer(id))?.decision;
      expect(copy).toMatchObject({ state: 'applied', eventId: matched.event_id });
      expect(copy).not.toHaveProperty('reason');
      expect(copy?.offers).toEqual(intent.offers?.map(({ explanation: _e, ...own }) => own));
    }
    // The unit's record keeps the unit's text and each offer's own explanation.
    expect(await store.getUnitDecision('shift#shift-1')).toEqual({ ...intent, state: 'applied' });
    for (const id of ['a', 'b']) {
      expect((await text(id))?.explanation?.[0]).toMatch(/shift of 2 offers/);
      expect((await text(id))?.offers).toEqual(
        intent.offers?.map(({ offerId, explanation }) => ({ offerId, explanation })),
      );
    }
    expect(store.events.size).toBe(0);
  });
});

describe('old items (a settled decision stored with its text)', () => {
  const old: SettledDecision = {
    action: 'accept',
    rule: 'psw',
    reason: 'rule "psw" held',
    explanation: ['accept by rule "psw"'],
    state: 'applied',
    eventId: 'e-old',
    decidedAt: '2026-05-01T07:00:00Z',
    unitKey: 'shift#shift-1',
    offerIds: ['a', 'b'],
    answeredVia: 'a',
  };

  it('read as they are; a copy completed from one leaves the text where it was', async () => {
    const { store, processor, marketplace, event } = setup(['a', 'b'], { shiftId: 'shift-1' });
    await store.recordDecision('a', old);
    const result = await processor.process(queuedEvent(event('a')));

    expect(result.outcome).toBe('already-decided');
    expect(marketplace.actions()).toEqual([]);
    expect((await store.getOffer('a'))?.decision).toEqual(old);
    expect((await store.getOffer('b'))?.decision).toEqual(storedDecision(old));
  });
});

describe('storedDecision', () => {
  const intended: RecordedDecision = {
    action: 'decline',
    rule: 'no nursing',
    reason: 'shift of 2 offers: decline because offer b gave decline',
    explanation: ['line'],
    state: 'intended',
    eventId: 'e-1',
    decidedAt: '2026-05-01T08:00:00Z',
    offers: [
      { offerId: 'a', action: 'accept', rule: 'psw', reason: 'psw held', explanation: ['a'] },
      {
        offerId: 'b',
        action: 'decline',
        rule: 'no nursing',
        reason: 'nursing',
        explanation: ['b'],
      },
    ],
    capKeys: ['day#2026-05-01'],
  };

  it('keeps an intended decision whole', () => {
    expect(storedDecision(intended)).toEqual(intended);
  });

  it.each(['applied', 'resolved'] as const)(
    'leaves the text off a %s decision, and nothing else',
    (state) => {
      const settled = storedDecision({ ...intended, state });
      expect(settled).toEqual({
        action: 'decline',
        rule: 'no nursing',
        state,
        eventId: 'e-1',
        decidedAt: '2026-05-01T08:00:00Z',
        offers: [
          { offerId: 'a', action: 'accept', rule: 'psw', reason: 'psw held' },
          { offerId: 'b', action: 'decline', rule: 'no nursing', reason: 'nursing' },
        ],
        capKeys: ['day#2026-05-01'],
      });
      expect(storedDecision(settled)).toEqual(settled);
    },
  );
});
