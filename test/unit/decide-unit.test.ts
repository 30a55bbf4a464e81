/**
 * Covers decisions per decision unit (lambdas/core/decide-unit.ts, judge.ts) through the event
 * processor, with the shift-aware fake marketplace and the in-memory stores: shifts and bundles
 * judged as one with mixed rules, each offer's own result recorded on every offer, unjudgeable
 * values sent to review, refused answers resolved by reading the offers, intents re-sent while
 * young and re-judged when old, the unit lease (busy, fenced, released), and the action budget.
 * Interleavings of two processors are in decision-race.test.ts; DynamoDB semantics of the unit
 * store in test/integration/dynamo-unit-store.test.ts.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import { OutOfTimeError } from '../../lambdas/core/errors';
import { UnitBusyError } from '../../lambdas/core/decide-unit';
import { MAX_EXPLANATION_LINES } from '../../lambdas/core/unit-decision';
import { judgeUnit } from '../../lambdas/core/judge';
import { fixedRules, rulesVersionOf } from '../../lambdas/core/rules-source';
import type {
  InboxOffer,
  Notifier,
  OfferNotification,
  RecordedDecision,
} from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { FakeMarketplaceError, fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const NOW = Date.parse('2026-05-01T08:01:00Z');
const SHIFT = 'shift-1';

const RULES: Rules = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [
      {
        name: 'psw visits',
        match: { care_type: ['psw'], offer_type: ['visit'] },
        action: 'accept',
        comment: 'Glad to help',
      },
      {
        name: 'no nursing services',
        match: { care_type: ['nursing'], offer_type: ['service'] },
        action: 'decline',
        declineReasonCode: 'no_capacity',
      },
    ],
  }),
);

const psw = (id: string, extra: Partial<InboxOffer> = {}) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'psw', offerType: 'visit', ...extra });
const nursingService = (id: string) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'nursing', offerType: 'service' });
const nursingVisit = (id: string) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'nursing', offerType: 'visit' });

function setup(
  offers: InboxOffer[],
  options: {
    rules?: Rules;
    clock?: { ms: number };
    actionBudgetMs?: number;
    notifier?: Notifier;
  } = {},
) {
  const marketplace = fakeMarketplace(...offers);
  const store = new MemoryOfferStore();
  const clock = options.clock ?? { ms: NOW };
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: options.rules ?? RULES,
    role: 'supply',
    now: () => new Date(clock.ms),
    decisionLeaseMs: 150_000,
    actionBudgetMs: options.actionBudgetMs ?? 60_000,
    ...(options.notifier !== undefined ? { notifier: options.notifier } : {}),
  });
  const matched = (offerId: string) => queuedEvent(offerEvent({ offer_id: offerId, id: offerId }));
  return { marketplace, store, processor, clock, matched };
}

/** The text of an offer's settled decision: on its unit's record (the offers' copies lack it). */
async function textOf(store: MemoryOfferStore, decision: RecordedDecision | undefined) {
  if (decision?.unitKey === undefined) return undefined;
  const unit = await store.getUnitDecision(decision.unitKey);
  if (unit === undefined || unit.eventId !== decision.eventId) return undefined;
  return {
    reason: unit.reason,
    explanation: unit.explanation,
    offers: unit.offers?.map(({ offerId, explanation }) => ({ offerId, explanation })),
  };
}

describe('a shift or bundle is decided as one', () => {
  it.each([
    [
      'accepts only when every offer would be accepted',
      [psw('a'), psw('b'), psw('c')],
      'accept',
      'acceptInboxOffer',
    ],
    [
      'declines when any offer is declined by a rule (accept + decline)',
      [psw('a'), nursingService('b')],
      'decline',
      'declineInboxOffer',
    ],
    [
      'declines over review (accept + review + decline)',
      [psw('a'), nursingVisit('b'), nursingService('c')],
      'decline',
      'declineInboxOffer',
    ],
    [
      'reviews when nothing declines but not all accept (accept + review)',
      [psw('a'), nursingVisit('b')],
      'review',
      undefined,
    ],
  ] as const)('%s', async (_name, offers, action, call) => {
    const { marketplace, store, processor, matched } = setup([...offers]);

    const result = await processor.process(matched('b'));

    expect(result).toMatchObject({
      outcome: 'decided',
      unitKey: `shift#${SHIFT}`,
      decision: { action },
    });
    expect(marketplace.actions().map((c) => c.method)).toEqual(call === undefined ? [] : [call]);
    for (const offer of offers) {
      const decision = (await store.getOffer(offer.id))?.decision;
      expect(decision).toMatchObject({
        action,
        state: 'applied',
        unitKey: `shift#${SHIFT}`,
        rulesVersion: rulesVersionOf(RULES),
      });
      // Each offer's own result travels with the shift's decision, on every offer.
      expect(decision?.offers?.map((o) => o.offerId)).toEqual(offers.map((o) => o.id));
    }
  });

  it('records each offer’s own result and a reason naming the deciding offer and rule', async () => {
    const { store, processor, matched } = setup([psw('a'), nursingService('b'), nursingVisit('c')]);
    await processor.process(matched('a'));
    // The intent holds each offer's own explanation; the settled decision keeps the results.
    const [, , , intent] = store.callsTo('recordUnitDecision')[0] as [
      string,
      string,
      Date,
      RecordedDecision,
    ];
    const decision = (await store.getOffer('c'))?.decision;
    expect(decision?.offers).toEqual(
      intent.offers?.map(({ explanation: _own, ...result }) => result),
    );
    const own = (first: string): unknown => expect.arrayContaining([first]);
    expect(intent.state).toBe('intended');
    expect(intent.offers).toEqual([
      {
        offerId: 'a',
        action: 'accept',
        rule: 'psw visits',
        reason: expect.stringContaining('psw visits'),
        explanation: own('accept by rule "psw visits" (care_type, offer_type held)'),
      },
      {
        offerId: 'b',
        action: 'decline',
        rule: 'no nursing services',
        reason: expect.stringContaining('no nursing services'),
        explanation: own('decline by rule "no nursing services" (care_type, offer_type held)'),
      },
      {
        offerId: 'c',
        action: 'review',
        rule: 'default',
        reason: 'no rule matched: default action',
        explanation: own('review by default (none of 2 rules held)'),
      },
    ]);
    expect(decision).toMatchObject({
      rule: 'no nursing services',
      declineReasonCode: 'no_capacity',
    });
    // The settled decision's text is on the shift's unit record, not on the offers' copies.
    expect(decision?.reason).toBeUndefined();
    expect(decision?.explanation).toBeUndefined();
    const text = await textOf(store, decision);
    expect(text?.offers).toEqual(
      intent.offers?.map(({ offerId, explanation }) => ({ offerId, explanation })),
    );
    expect(text?.reason).toContain('offer b gave decline');
    // The unit's explanation: which offer decided, then that offer's own explanation.
    expect(text?.explanation).toEqual([
      'shift of 3 offers: decline because offer b gave decline (rule "no nursing services")',
      'offer b: decline by rule "no nursing services" (care_type, offer_type held)',
      'offer b: rule "psw visits": care_type did not hold (care_type is nursing; listed: psw)',
    ]);
  });

  it('leaves a unit whose rules say ignore open: nothing sent, nobody notified, recorded applied with its explanation', async () => {
    const sent: OfferNotification[] = [];
    const quiet = parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [{ name: 'not ours', match: { offer_type: ['visit'] }, action: 'ignore' }],
      }),
    );
    const { marketplace, store, processor, matched } = setup([psw('a'), nursingVisit('b')], {
      rules: quiet,
      notifier: { notify: async (n) => void sent.push(n) },
    });
    const result = await processor.process(matched('a'));
    expect(result).toMatchObject({
      outcome: 'decided',
      decision: { action: 'ignore', rule: 'not ours' },
    });
    // The decision reported to the worker carries the explanation it logs.
    expect(result.decision?.explanation).toEqual([
      'shift of 2 offers: ignore because offer a gave ignore (rule "not ours")',
      'offer a: ignore by rule "not ours" (offer_type held)',
    ]);
    expect(marketplace.actions()).toEqual([]);
    expect(sent).toEqual([]);
    const settled = (await store.getOffer('b'))?.decision;
    expect(settled).toMatchObject({ action: 'ignore', state: 'applied' });
    expect((await textOf(store, settled))?.explanation).toEqual(result.decision?.explanation);
  });

  it('answers through the event’s own offer, once, and every later event of the shift is already decided', async () => {
    const { marketplace, processor, matched } = setup([psw('a'), psw('b'), psw('c')]);
    await processor.process(matched('c'));
    const later = await Promise.all([
      processor.process(matched('a')),
      processor.process(matched('b')),
    ]);
    expect(marketplace.actions()).toEqual([
      { method: 'acceptInboxOffer', offerId: 'c', body: { comment: 'Glad to help' } },
    ]);
    expect(later.map((r) => r.outcome)).toEqual(['already-decided', 'already-decided']);
    expect(marketplace.callsTo('getInboxOffer')).toHaveLength(1);
  });

  it('judges only the offers still answerable, and answers through one of them', async () => {
    const expired = psw('a', { match: { id: 'm-a', response: 'pending', status: 'expired' } });
    const { marketplace, processor, matched } = setup([expired, psw('b'), nursingService('z')]);
    await processor.process(matched('a'));
    expect(marketplace.actions()).toEqual([
      { method: 'declineInboxOffer', offerId: 'b', body: { reason_code: 'no_capacity' } },
    ]);
  });

  it('records the version of the rules a source served, read at decision time', async () => {
    const { store, processor, matched } = setup([inboxOffer({ id: 'x' })], { rules: RULES });
    await processor.process(matched('x'));
    expect((await store.getOffer('x'))?.decision?.rulesVersion).toMatch(/^[0-9a-f]{12}$/);
    const other = parseRules(JSON.stringify({ defaultAction: 'decline' }));
    expect(rulesVersionOf(other)).not.toBe(rulesVersionOf(RULES));
    expect((await fixedRules(other).current()).version).toBe(rulesVersionOf(other));
  });

  it('keeps a stored explanation bounded however many rules did not hold', async () => {
    const many = parseRules(
      JSON.stringify({
        defaultAction: 'decline',
        rules: Array.from({ length: 60 }, (_, i) => ({
          name: `city ${i}`,
          match: { city: [`Nowhere ${i}`] },
          action: 'accept',
        })),
      }),
    );
    const { store, processor, matched } = setup([inboxOffer({ id: 'x' })], { rules: many });
    await processor.process(matched('x'));
    // Bounded on the intent, and on the deciding event's item, which keeps the settled text.
    const [, , , intent] = store.callsTo('recordUnitDecision')[0] as [
      string,
      string,
      Date,
      RecordedDecision,
    ];
    expect(intent.explanation).toHaveLength(MAX_EXPLANATION_LINES);
    const explanation =
      (await textOf(store, (await store.getOffer('x'))?.decision))?.explanation ?? [];
    expect(explanation).toEqual(intent.explanation);
    expect(explanation).toHaveLength(MAX_EXPLANATION_LINES);
    expect(explanation[0]).toMatch(/default/);
    expect(explanation.at(-1)).toBe(`... ${61 - (MAX_EXPLANATION_LINES - 1)} more lines not kept`);
  });

  it('combines by caution whatever the order of offers (pure judgeUnit)', () => {
    const offers = [nursingService('b'), psw('a'), nursingVisit('c')];
    expect(judgeUnit(RULES, offers, new Date(NOW)).action).toBe('decline');
    expect(judgeUnit(RULES, [...offers].reverse(), new Date(NOW)).action).toBe('decline');
    expect(judgeUnit(RULES, [psw('a')], new Date(NOW))).not.toHaveProperty('offers');
  });
});

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
