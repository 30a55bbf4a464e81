/**
 * Shared setup of the decision-unit unit tests (test/unit/decide-unit*.test.ts): a fixed clock, a
 * shift, rules that accept PSW visits and decline nursing services, offers of the shift of each
 * kind, and a supply-side processor over the shift-aware fake marketplace and the in-memory stores.
 */
import { parseRules, type Rules } from '../../lambdas/core/config';
import type { InboxOffer, Notifier } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { inboxOffer, offerEvent, queuedEvent } from './offer-fixtures';
import { fakeMarketplace } from './offer-marketplace-fake';
import { MemoryOfferStore } from './offer-memory-store';

export const NOW = Date.parse('2026-05-01T08:01:00Z');
export const SHIFT = 'shift-1';

export const RULES: Rules = parseRules(
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

export const psw = (id: string, extra: Partial<InboxOffer> = {}) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'psw', offerType: 'visit', ...extra });
export const nursingService = (id: string) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'nursing', offerType: 'service' });
export const nursingVisit = (id: string) =>
  inboxOffer({ id, shiftId: SHIFT, careType: 'nursing', offerType: 'visit' });

export function setup(
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
