/**
 * A review a person was told of, whose `applied` write was then lost (a crash, a throttled write,
 * the invocation ending right after the SNS publish): the retry tells the same review again from
 * its intent, and never turns it into an answer because the rules, the clock or a cap moved on
 * in between, however late it comes (a crash's record returns after the queue's visibility
 * timeout, 30 minutes). Counted where the marketplace sees it (the fake marketplace's answers).
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import type { OfferNotification, RecordedDecision, RulesSource } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import type { UnitDecisionOptions } from '../../lambdas/core/store-ports';
import { MemoryAcceptCounter } from '../support/memory-accept-counter';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace } from '../support/offer-marketplace-fake';
import { MemoryOfferStore } from '../support/offer-memory-store';

const REVIEW_ALL: Rules = parseRules(JSON.stringify({ defaultAction: 'review' }));
const ACCEPT_PSW: Rules = parseRules(
  JSON.stringify({
    defaultAction: 'review',
    rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }],
  }),
);

/** Loses the first `applied` write of a review, after its notification went out. */
class LosesFirstAppliedReview extends MemoryOfferStore {
  lost = false;
  override async recordUnitDecision(
    unitKey: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options?: UnitDecisionOptions,
  ): Promise<void> {
    if (decision.state === 'applied' && decision.action === 'review' && !this.lost) {
      this.lost = true;
      throw new Error('the invocation ended after the notification');
    }
    return super.recordUnitDecision(unitKey, owner, now, decision, options);
  }
}

function world(options: { rules: Rules | RulesSource; at: string; offers: string[] }) {
  const marketplace = fakeMarketplace(...options.offers.map((id) => inboxOffer({ id })));
  const store = new LosesFirstAppliedReview();
  const clock = { ms: Date.parse(options.at) };
  const told: OfferNotification[] = [];
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: options.rules,
    role: 'supply',
    now: () => new Date(clock.ms),
    decisionLeaseMs: 150_000,
    actionBudgetMs: 60_000,
    counter: new MemoryAcceptCounter(),
    notifier: { notify: async (n) => void told.push(n) },
  });
  const matched = (id: string) =>
    queuedEvent(offerEvent({ offer_id: id, id, event_id: `event-${id}` }));
  return { marketplace, store, clock, told, processor, matched };
}

describe.each([
  ['30 s', 30_000],
  ['30 min (a crash: the visibility timeout)', 30 * 60_000],
])(
  'a review told to a person, its applied write then lost, retried %s later',
  (_label, laterMs) => {
    it('is told again, unchanged, after a rules change, and nothing is sent', async () => {
      let rules = REVIEW_ALL;
      const source: RulesSource = {
        current: async () => ({ rules, version: rulesVersionOf(rules) }),
      };
      const w = world({ rules: source, at: '2026-05-01T08:01:00Z', offers: ['x'] });
      await expect(w.processor.process(w.matched('x'))).rejects.toThrow(/invocation ended/);
      expect(w.told.map((n) => n.offerId)).toEqual(['x']);
      expect((await w.store.getOffer('x'))?.decision).toMatchObject({
        state: 'intended',
        action: 'review',
      });

      rules = ACCEPT_PSW; // a rules deployment before the redelivery: psw is now accepted
      w.clock.ms += laterMs;
      const result = await w.processor.process(w.matched('x'));

      expect(result).toMatchObject({ outcome: 'recovered', decision: { action: 'review' } });
      expect(w.marketplace.actions()).toEqual([]);
      expect(w.told.map((n) => n.offerId)).toEqual(['x', 'x']);
      expect((await w.store.getOffer('x'))?.decision).toMatchObject({
        state: 'applied',
        action: 'review',
      });
    });

    it('is not accepted after midnight, when the daily accept cap that made it a review has reset', async () => {
      const capped = parseRules(
        JSON.stringify({
          defaultAction: 'accept',
          timeZone: 'America/Toronto',
          limits: { accepts_per_day: 1 },
        }),
      );
      // 23:59:45 in Toronto (UTC-4 in May).
      const w = world({ rules: capped, at: '2026-05-02T03:59:45Z', offers: ['a', 'c'] });
      await w.processor.process(w.matched('a'));
      await expect(w.processor.process(w.matched('c'))).rejects.toThrow(/invocation ended/);
      expect(w.told.map((n) => n.explanation?.[0])).toEqual(['accept cap reached (1 per day)']);

      w.clock.ms += laterMs; // the next day: the cap has room again
      const result = await w.processor.process(w.matched('c'));

      expect(result).toMatchObject({ decision: { action: 'review' } });
      expect(w.marketplace.actions().map((a) => [a.offerId, a.method])).toEqual([
        ['a', 'acceptInboxOffer'],
      ]);
    });
  },
);
