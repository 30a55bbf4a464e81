/**
 * Covers the accept caps (`rules.limits`, lambdas/core/caps.ts through decide-unit.ts) and dry-run
 * mode, through the event processor with the shift-aware fake marketplace, the in-memory stores
 * and the in-memory counter: a full day or week turns an accept into review with an explanation
 * naming the cap; a shift counts once; caps hold under concurrent decisions (counted at the fake
 * marketplace); days and weeks follow the organisation's time zone; an accept that does not take
 * effect gives its place back; dry runs record and notify, never answer, and are not answered
 * again once live. The DynamoDB counter's contract is in test/integration/dynamo-accept-counter.test.ts.
 */
import { capPeriods, isoWeek, localDate } from '../../lambdas/core/caps';
import { parseRules, type Rules } from '../../lambdas/core/config';
import type { InboxOffer, OfferNotification, RulesSource } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { inboxOffer, matched } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryAcceptCounter } from '../support/memory-accept-counter';
import { MemoryOfferStore } from '../support/offer-memory-store';

// 2026-05-01 is a Friday; 08:01 UTC is 04:01 in Toronto.
const NOW = Date.parse('2026-05-01T08:01:00Z');

const rules = (limits: object | undefined, extra: object = {}): Rules =>
  parseRules(
    JSON.stringify({
      defaultAction: 'accept',
      timeZone: 'America/Toronto',
      ...(limits ? { limits } : {}),
      ...extra,
    }),
  );

function setup(
  offers: InboxOffer[],
  options: {
    rules: Rules | RulesSource;
    dryRun?: boolean;
    redecideDryRun?: boolean;
    counter?: MemoryAcceptCounter;
    store?: MemoryOfferStore;
    clock?: { ms: number };
  },
) {
  const marketplace = fakeMarketplace(...offers);
  const store = options.store ?? new MemoryOfferStore();
  const counter = options.counter ?? new MemoryAcceptCounter();
  const clock = options.clock ?? { ms: NOW };
  const notified: OfferNotification[] = [];
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    counter,
    rules: options.rules,
    role: 'supply',
    now: () => new Date(clock.ms),
    notifier: { notify: async (n) => void notified.push(n) },
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.redecideDryRun ? { redecideDryRun: true } : {}),
  });
  return { marketplace, store, counter, processor, matched, notified, clock };
}

const lone = (id: string) => inboxOffer({ id });

describe('periods in the organisation’s time zone', () => {
  it.each([
    ['2026-05-01T03:59:59Z', 'America/Toronto', '2026-04-30'],
    ['2026-05-01T04:00:00Z', 'America/Toronto', '2026-05-01'],
    // Across the spring change (2026-03-08, 02:00 local): midnight is still UTC-5.
    ['2026-03-08T04:59:59Z', 'America/Toronto', '2026-03-07'],
    ['2026-03-08T05:00:00Z', 'America/Toronto', '2026-03-08'],
    // After it, midnight is UTC-4.
    ['2026-03-09T03:59:59Z', 'America/Toronto', '2026-03-08'],
    ['2026-05-01T13:59:59Z', 'Pacific/Kiritimati', '2026-05-02'],
  ])('%s is %s’s local date %s', (at, zone, date) => {
    expect(localDate(new Date(at), zone)).toBe(date);
  });

  it.each([
    ['2026-01-01', '2026-W01'],
    ['2025-12-29', '2026-W01'],
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2026-05-03', '2026-W18'],
    ['2026-05-04', '2026-W19'],
  ])('ISO week of %s is %s (weeks from Monday)', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });

  it('has a period per limit set, none without limits', () => {
    expect(capPeriods(undefined, new Date(NOW), 'America/Toronto', 'accepts')).toEqual([]);
    expect(
      capPeriods(
        { accepts_per_day: 20, accepts_per_week: 80 },
        new Date(NOW),
        'America/Toronto',
        'accepts',
      ),
    ).toEqual([
      { key: 'accepts/day/2026-05-01', limit: 20, label: '20 per day' },
      { key: 'accepts/week/2026-W18', limit: 80, label: '80 per week' },
    ]);
  });
});

describe('accept caps', () => {
  it('turns an accept into review once the day is full, with an explanation naming the cap, and notifies', async () => {
    const { marketplace, store, processor, matched, notified } = setup(
      [lone('a'), lone('b'), lone('c')],
      { rules: rules({ accepts_per_day: 2 }) },
    );
    for (const id of ['a', 'b', 'c']) await processor.process(matched(id));
    expect(marketplace.actions().map((c) => c.offerId)).toEqual(['a', 'b']);
    const capped = (await store.getOffer('c'))?.decision;
    expect(capped).toMatchObject({ action: 'review', state: 'applied' });
    // The settled decision keeps its text on its unit's record: a lone offer's own.
    const text = capped;
    expect(text?.reason).toBe('accept cap reached (2 per day)');
    expect(text?.explanation?.[0]).toBe('accept cap reached (2 per day)');
    expect(notified.map((n) => [n.offerId, n.explanation?.[0]])).toEqual([
      ['c', 'accept cap reached (2 per day)'],
    ]);
  });

  it('counts a shift once', async () => {
    const shift = ['s1', 's2', 's3'].map((id) => inboxOffer({ id, shiftId: 'shift-1' }));
    const { marketplace, counter, processor, matched } = setup([...shift, lone('x')], {
      rules: rules({ accepts_per_day: 2 }),
    });
    for (const id of ['s1', 's2', 's3', 'x']) await processor.process(matched(id));
    expect(marketplace.actions().map((c) => c.offerId)).toEqual(['s1', 'x']);
    expect(counter.count('accepts/day/2026-05-01')).toBe(2);
  });

  it('holds under concurrent decisions: exactly the cap is accepted, counted at the marketplace', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `o${i}`);
    const { marketplace, store, processor, matched } = setup(ids.map(lone), {
      rules: rules({ accepts_per_day: 5, accepts_per_week: 7 }),
    });
    await Promise.all(ids.map((id) => processor.process(matched(id))));
    expect(marketplace.actions().filter((c) => c.method === 'acceptInboxOffer')).toHaveLength(5);
    const reviews = await Promise.all(
      ids.map(async (id) => (await store.getOffer(id))?.decision?.action),
    );
    expect(reviews.filter((a) => a === 'review')).toHaveLength(7);
  });

  it('starts a new day at local midnight, while the week still counts', async () => {
    const counter = new MemoryAcceptCounter();
    const clock = { ms: NOW };
    const { marketplace, processor, matched } = setup([lone('a'), lone('b'), lone('c')], {
      rules: rules({ accepts_per_day: 1, accepts_per_week: 2 }),
      counter,
      clock,
    });
    await processor.process(matched('a'));
    clock.ms = Date.parse('2026-05-02T04:00:00Z'); // Saturday 00:00 in Toronto
    await processor.process(matched('b'));
    await processor.process(matched('c'));
    expect(marketplace.actions().map((c) => c.offerId)).toEqual(['a', 'b']);
    expect(counter.count('accepts/week/2026-W18')).toBe(2);
  });

  it('gives the place back when the accept is refused (the offer was closed meanwhile)', async () => {
    const { marketplace, counter, processor, matched } = setup([lone('a')], {
      rules: rules({ accepts_per_day: 1 }),
    });
    const accept = marketplace.acceptInboxOffer.bind(marketplace);
    marketplace.acceptInboxOffer = async (offerId, body) => {
      const offer = marketplace.offers.get(offerId);
      if (offer !== undefined) offer.match.status = 'closed';
      return accept(offerId, body);
    };
    await expect(processor.process(matched('a'))).resolves.toMatchObject({
      outcome: 'resolved',
      resolution: 'closed',
    });
    expect(counter.count('accepts/day/2026-05-01')).toBe(0);
  });

  it('gives the place back when a stale accept intent is judged again and no longer accepts', async () => {
    let current = rules({ accepts_per_day: 1 });
    const source: RulesSource = {
      current: async () => ({ rules: current, version: rulesVersionOf(current) }),
    };
    const { marketplace, counter, processor, matched, clock } = setup([lone('a'), lone('b')], {
      rules: source,
    });
    marketplace.failNext('acceptInboxOffer'); // a 503, before the accept takes effect
    await expect(processor.process(matched('a'))).rejects.toThrow('acceptInboxOffer failed');
    expect(counter.count('accepts/day/2026-05-01')).toBe(1); // held by the intent

    current = rules({ accepts_per_day: 1 }, { defaultAction: 'decline' });
    clock.ms += 11 * 60_000; // the intent is now older than 10 minutes: judged again
    await expect(processor.process(matched('a'))).resolves.toMatchObject({
      decision: { action: 'decline' },
    });
    expect(counter.count('accepts/day/2026-05-01')).toBe(0);

    current = rules({ accepts_per_day: 1 });
    await expect(processor.process(matched('b'))).resolves.toMatchObject({
      decision: { action: 'accept' },
    });
    expect(Object.fromEntries(marketplace.answersByUnit())).toEqual({
      a: ['decline'],
      b: ['accept'],
    });
  });

  it('never counts declines or reviews', async () => {
    const { counter, processor, matched } = setup([lone('a')], {
      rules: rules({ accepts_per_day: 1 }, { defaultAction: 'decline' }),
    });
    await processor.process(matched('a'));
    expect(counter.count('accepts/day/2026-05-01')).toBe(0);
  });
});

describe('dry run', () => {
  it('decides, records the dry run and notifies, and sends nothing to the marketplace', async () => {
    const review = parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }],
      }),
    );
    const offers = [lone('a'), inboxOffer({ id: 'b', careType: 'nursing' })];
    const { marketplace, store, processor, matched, notified } = setup(offers, {
      rules: review,
      dryRun: true,
    });
    await expect(processor.process(matched('a'))).resolves.toMatchObject({
      outcome: 'decided',
      dryRun: true,
      decision: { action: 'accept' },
    });
    await processor.process(matched('b'));
    expect(marketplace.actions()).toEqual([]);
    expect((await store.getOffer('a'))?.decision).toMatchObject({
      action: 'accept',
      state: 'applied',
      dryRun: true,
    });
    expect((await store.getOffer('a'))?.matchResponse).toBe('pending');
    expect(notified.map((n) => n.offerId)).toEqual(['b']);
  });

  it('is not answered again once the connector runs live', async () => {
    const store = new MemoryOfferStore();
    const dry = setup([lone('a')], { rules: rules(undefined), dryRun: true, store });
    await dry.processor.process(dry.matched('a'));
    const live = setup([lone('a')], { rules: rules(undefined), store });
    await expect(live.processor.process(live.matched('a'))).resolves.toMatchObject({
      outcome: 'already-decided',
    });
    expect(live.marketplace.actions()).toEqual([]);
  });

  it('is decided again once live when asked to (redecideDryRun), answering once, for a shift too', async () => {
    const store = new MemoryOfferStore();
    const shift = ['s1', 's2'].map((id) => inboxOffer({ id, shiftId: 'shift-1' }));
    const dry = setup([...shift], { rules: rules(undefined), dryRun: true, store });
    await dry.processor.process(dry.matched('s1'));
    const live = setup([...shift], { rules: rules(undefined), store, redecideDryRun: true });
    await expect(live.processor.process(live.matched('s2'))).resolves.toMatchObject({
      outcome: 'decided',
      decision: { action: 'accept' },
    });
    await expect(live.processor.process(live.matched('s1'))).resolves.toMatchObject({
      outcome: 'already-decided',
    });
    expect(live.marketplace.actions().map((c) => c.method)).toEqual(['acceptInboxOffer']);
    for (const id of ['s1', 's2'])
      expect((await store.getOffer(id))?.decision).toMatchObject({
        state: 'applied',
        action: 'accept',
      });
    expect((await store.getOffer('s1'))?.decision?.dryRun).toBeUndefined();
  });

  it('keeps its decisions in a dry run even when redecideDryRun is set (it applies to live only)', async () => {
    const store = new MemoryOfferStore();
    const first = setup([lone('a')], { rules: rules(undefined), dryRun: true, store });
    await first.processor.process(first.matched('a'));
    const again = setup([lone('a')], {
      rules: rules(undefined),
      dryRun: true,
      redecideDryRun: true,
      store,
    });
    await expect(again.processor.process(again.matched('a'))).resolves.toMatchObject({
      outcome: 'already-decided',
    });
  });

  it('counts its accepts on counters of its own', async () => {
    const { counter, processor, matched } = setup([lone('a')], {
      rules: rules({ accepts_per_day: 1 }),
      dryRun: true,
    });
    await processor.process(matched('a'));
    expect(counter.count('dry-run-accepts/day/2026-05-01')).toBe(1);
    expect(counter.count('accepts/day/2026-05-01')).toBe(0);
  });
});
