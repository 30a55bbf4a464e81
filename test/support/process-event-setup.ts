/**
 * Shared setup of the event processor's unit tests (test/unit/process-event*.test.ts): a fixed
 * clock, rules that accept PSW visits and decline nursing, and a supply-side processor over a
 * stateful fake marketplace and the in-memory OfferStore.
 */
import { parseRules, type Role, type Rules } from '../../lambdas/core/config';
import type { InboxOffer } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { inboxOffer } from './offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from './offer-marketplace-fake';
import { MemoryOfferStore } from './offer-memory-store';

export const NOW = new Date('2026-05-01T08:01:00Z');

export const ACCEPT_PSW: Rules = parseRules(
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
        name: 'no nursing',
        match: { care_type: ['nursing'] },
        action: 'decline',
        declineReasonCode: 'no_capacity',
        comment: 'No nurses free',
      },
    ],
  }),
);

export interface Setup {
  marketplace: FakeMarketplace;
  store: MemoryOfferStore;
  process: ReturnType<typeof createEventProcessor>['process'];
}

export function setup(
  options: { offer?: InboxOffer; rules?: Rules; role?: Role; store?: MemoryOfferStore } = {},
): Setup {
  const marketplace = fakeMarketplace(options.offer ?? inboxOffer());
  const store = options.store ?? new MemoryOfferStore();
  const processor = createEventProcessor({
    marketplace,
    store,
    units: store,
    rules: options.rules ?? ACCEPT_PSW,
    role: options.role ?? 'supply',
    now: () => NOW,
  });
  return { marketplace, store, process: processor.process.bind(processor) };
}
