/**
 * Covers what follows a unit's judgement (lambdas/core/decide-unit.ts) through the event processor:
 * review notifications, values the connector cannot judge sent to review, refused answers resolved
 * by reading the offers, intents re-sent while young and re-judged when old, the unit lease (busy,
 * fenced, released) and the action budget. Judging shifts and bundles: decide-unit.test.ts;
 * interleavings: decision-race.test.ts; the unit store on DynamoDB: dynamo-unit-store.test.ts.
 */
import { OutOfTimeError } from '../../lambdas/core/errors';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import type { Notifier, OfferNotification, RecordedDecision } from '../../lambdas/core/ports';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { FakeMarketplaceError } from '../support/offer-marketplace-fake';
import { NOW, nursingVisit, psw, setup, SHIFT } from '../support/decide-unit-setup';

describe('review notifications', () => {
  it('tells a person once per unit left for review, with ids, types, city, time, rule and explanation only', async () => {
    const sent: OfferNotification[] = [];
    const { processor, matched } = setup([psw('a'), nursingVisit('b')], {
      notifier: { notify: async (n) => void sent.push(n) },
    });
    await processor.process(matched('a'));
    await processor.process(matched('b'));
    expect(sent).toEqual([
      {
        kind: 'review',
        offerId: 'a',
        shiftId: SHIFT,
        careType: 'psw',
        offerType: 'visit',
        city: 'Montréal',
        startAt: inboxOffer().startAt,
        rule: 'default',
        explanation: [
          'shift of 2 offers: review because offer b gave review (rule "default")',
          'offer b: review by default (none of 2 rules held)',
          'offer b: rule "psw visits": care_type did not hold (care_type is nursing; listed: psw)',
          'offer b: rule "no nursing services": offer_type did not hold (offer_type is visit; listed: service)',
        ],
      },
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/H2X|zip|Demo Health/);
  });

  it('notifies nobody for an accept or decline', async () => {
    const sent: OfferNotification[] = [];
    const { processor, matched } = setup([inboxOffer({ id: 'x' })], {
      notifier: { notify: async (n) => void sent.push(n) },
    });
    await processor.process(matched('x'));
    expect(sent).toEqual([]);
  });

  it('fails the record when the notification cannot be sent, and notifies on the retry (at least once)', async () => {
    let calls = 0;
    const notifier: Notifier = {
      notify: async () => {
        calls += 1;
        if (calls === 1) throw new Error('SNS unavailable');
      },
    };
    const { store, processor, matched } = setup([nursingVisit('x')], { notifier });
    const event = matched('x');
    await expect(processor.process(event)).rejects.toThrow('SNS unavailable');
    // Told to a person, so recorded as intended first: the retry tells the same review again.
    expect((await store.getOffer('x'))?.decision?.state).toBe('intended');
    await expect(processor.process(event)).resolves.toMatchObject({
      decision: { action: 'review' },
    });
    expect(calls).toBe(2);
  });
});

describe('values the connector cannot judge', () => {
  it.each([
    ['care_type', { careType: 'unknown' as const }],
    ['offer_type', { offerType: 'unknown' as const }],
    ['match.status', { match: { id: 'm-1', response: 'pending' as const, status: null } }],
  ])(
    'sends an offer with an unknown %s to review, naming the field, and calls nothing',
    async (field, extra) => {
      const { marketplace, store, processor, matched } = setup([inboxOffer({ id: 'x', ...extra })]);
      const result = await processor.process(matched('x'));
      expect(result).toMatchObject({
        outcome: 'decided',
        decision: { action: 'review', rule: 'unjudgeable' },
      });
      expect(result.decision?.reason).toContain(field);
      expect(marketplace.actions()).toEqual([]);
      expect((await store.getOffer('x'))?.decision?.state).toBe('applied');
    },
  );

  it('makes a whole shift review when one of its offers cannot be judged', async () => {
    const { marketplace, processor, matched } = setup([
      psw('a'),
      psw('b', { careType: 'unknown' }),
    ]);
    await expect(processor.process(matched('a'))).resolves.toMatchObject({
      decision: { action: 'review' },
    });
    expect(marketplace.actions()).toEqual([]);
  });
});

describe('every answer ends in a recorded outcome', () => {
  it.each([
    ['a person answered first', { response: 'declined', status: 'open' }, 'answered'],
    ['the match expired', { response: 'pending', status: 'expired' }, 'expired'],
    ['the offer was closed', { response: 'pending', status: 'closed' }, 'closed'],
    [
      'the offer was assigned elsewhere',
      { response: 'pending', status: 'assigned' },
      'assigned-elsewhere',
    ],
  ] as const)('a refused accept is resolved when %s', async (_name, match, resolution) => {
    const { marketplace, store, processor, matched } = setup([inboxOffer({ id: 'x' })]);
    const realAccept = marketplace.acceptInboxOffer.bind(marketplace);
    marketplace.acceptInboxOffer = async (offerId, body) => {
      // The marketplace changes between our read and our answer; the answer is refused.
      const offer = marketplace.offers.get(offerId);
      if (offer !== undefined) offer.match = { ...offer.match, ...match };
      return realAccept(offerId, body);
    };

    const result = await processor.process(matched('x'));

    expect(result).toMatchObject({ outcome: 'resolved', resolution });
    const decision = (await store.getOffer('x'))?.decision;
    expect(decision).toMatchObject({ state: 'resolved', resolution, action: 'accept' });
    expect((await store.getUnitDecision('offer#x'))?.state).toBe('resolved');
  });

  it('a refusal while the offer still looks answerable fails the record (retried), leaving the intent', async () => {
    const { marketplace, store, processor, matched } = setup([inboxOffer({ id: 'x' })]);
    marketplace.failNext('acceptInboxOffer', new FakeMarketplaceError('HTTP 400 bad request', 400));
    await expect(processor.process(matched('x'))).rejects.toThrow('HTTP 400');
    expect((await store.getOffer('x'))?.decision?.state).toBe('intended');
  });

  it('an answer that took effect but was lost is confirmed from the marketplace, never sent twice', async () => {
    const { marketplace, store, processor, matched } = setup([inboxOffer({ id: 'x' })]);
    marketplace.failNextAfterActing('acceptInboxOffer');
    const event = matched('x');
    await expect(processor.process(event)).rejects.toThrow('outcome unknown');
    const retry = await processor.process(event);
    expect(retry).toMatchObject({ outcome: 'recovered', decision: { action: 'accept' } });
    expect(marketplace.actions()).toHaveLength(1);
    expect((await store.getOffer('x'))?.decision?.state).toBe('applied');
  });

  it('a young intent is sent as decided; an intent older than 10 minutes is judged again by the current rules', async () => {
    const intent = (decidedAt: string): RecordedDecision => ({
      action: 'decline',
      rule: 'old rule',
      reason: 'rule "old rule": city matched',
      state: 'intended',
      eventId: 'earlier',
      decidedAt,
    });
    const young = setup([inboxOffer({ id: 'x' })]);
    young.store.units.set('offer#x', {
      decision: intent(new Date(NOW - 9 * 60_000).toISOString()),
    });
    await expect(young.processor.process(young.matched('x'))).resolves.toMatchObject({
      outcome: 'recovered',
      decision: { action: 'decline', rule: 'old rule' },
    });

    const old = setup([inboxOffer({ id: 'x' })]);
    old.store.units.set('offer#x', { decision: intent(new Date(NOW - 11 * 60_000).toISOString()) });
    await expect(old.processor.process(old.matched('x'))).resolves.toMatchObject({
      decision: { action: 'accept', rule: 'psw visits' },
    });
    expect(old.marketplace.actions().map((c) => c.method)).toEqual(['acceptInboxOffer']);
  });
});

describe('the unit lease', () => {
  it('is busy while another event holds it: nothing is fetched past the offer, nothing sent, retry after the lease', async () => {
    const { marketplace, store, processor, matched } = setup([psw('a'), psw('b')]);
    await store.acquireUnitLease(`shift#${SHIFT}`, 'other-event', new Date(NOW - 1000), 150_000);
    const failure = processor.process(matched('a'));
    await expect(failure).rejects.toBeInstanceOf(UnitBusyError);
    // Retried on the worker's schedule (seconds), not after the whole lease: the holder releases it.
    await expect(failure).rejects.toMatchObject({ retryAfterMs: undefined });
    expect(marketplace.actions()).toEqual([]);
    expect(marketplace.callsTo('listShiftOffers')).toEqual([]);
  });

  it('is taken over once the holder’s lease has run out (its holder crashed), and released after', async () => {
    const { marketplace, store, processor, matched } = setup([psw('a')]);
    await store.acquireUnitLease(
      `shift#${SHIFT}`,
      'crashed-event',
      new Date(NOW - 151_000),
      150_000,
    );
    await expect(processor.process(matched('a'))).resolves.toMatchObject({ outcome: 'decided' });
    expect(marketplace.actions()).toHaveLength(1);
    expect(store.units.get(`shift#${SHIFT}`)?.leaseOwner).toBeUndefined();
  });

  it("hands a lone offer's record back with nothing written when less than the action budget is left in the invocation", async () => {
    const { marketplace, store, processor } = setup([inboxOffer({ id: 'x' })]);
    const event = queuedEvent(offerEvent({ offer_id: 'x', id: 'x' }));
    await expect(processor.process(event, { remainingMs: () => 59_000 })).rejects.toBeInstanceOf(
      OutOfTimeError,
    );
    expect(marketplace.actions()).toEqual([]);
    // Judged, but neither its intent nor its lease written: the retry judges afresh.
    expect(store.offers.get('x')?.decision).toBeUndefined();
    expect(store.units.get('offer#x')?.leaseOwner).toBeUndefined();
    await expect(processor.process(event, { remainingMs: () => 100_000 })).resolves.toMatchObject({
      outcome: 'decided',
    });
    expect(marketplace.actions()).toHaveLength(1);
  });

  it("hands a shift's record back unsent, its intent recorded, when less than the action budget is left", async () => {
    const { marketplace, store, processor, matched } = setup([psw('a')]);
    await expect(
      processor.process(matched('a'), { remainingMs: () => 59_000 }),
    ).rejects.toBeInstanceOf(OutOfTimeError);
    expect(marketplace.actions()).toEqual([]);
    expect(store.units.get(`shift#${SHIFT}`)?.leaseOwner).toBeUndefined();
    // The retry, with time, sends the recorded intent once.
    await expect(
      processor.process(matched('a'), { remainingMs: () => 100_000 }),
    ).resolves.toMatchObject({ outcome: 'recovered' });
    expect(marketplace.actions()).toHaveLength(1);
  });
});
