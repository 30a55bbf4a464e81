/**
 * Shared setup of the referral use case's unit tests (test/unit/referral-event*.test.ts): referral
 * events with client identifiers (which must never be stored), an event processor over the
 * referral fakes and the in-memory store with a clock that can move on, and the referral result
 * reporting every step of a win.
 */
import type { Role } from '../../lambdas/core/config';
import type { MarketplaceEvent } from '../../lambdas/core/events';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { fakeMarketplace } from './offer-marketplace-fake';
import { MemoryOfferStore } from './offer-memory-store';
import {
  fakeReferralApi,
  memoryReferralPublisher,
  REFERRAL_ID,
  referralSummary,
} from './referral-fakes';

export const NOW = new Date('2026-05-01T09:00:00Z');
const CLIENT = { id: 'client-PHI-4242', outbox_id: 'client-outbox-PHI-4242' };

let counter = 0;
export function referralEvent(
  eventName: string,
  overrides: Record<string, unknown> = {},
): MarketplaceEvent {
  counter += 1;
  return {
    event_id: `ref-event-${counter}`,
    event_name: eventName,
    event_source: 'alayamarket.referrals',
    timestamp: `2026-05-01T08:00:${String(counter % 60).padStart(2, '0')}Z`,
    id: REFERRAL_ID,
    referral_id: REFERRAL_ID,
    sequence_id: 'seq-1',
    client: CLIENT,
    ...overrides,
  };
}

export function setup(options: { role?: Role; markProcessed?: boolean; publish?: boolean } = {}) {
  let clock = NOW;
  /** Moves the processor's clock on (a lease running out). */
  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  const store = new MemoryOfferStore();
  const api = fakeReferralApi(
    [referralSummary({ shiftId: 'shift-9' })],
    [referralSummary({ id: 'out-ref-1', offerId: 'our-offer-1' })],
  );
  const publisher = memoryReferralPublisher();
  const processor = createEventProcessor({
    marketplace: fakeMarketplace(),
    store,
    units: store,
    rules: { defaultAction: 'review', rules: [] } as never,
    role: options.role ?? 'supply',
    referralMarketplace: api,
    markReferralsProcessed: options.markProcessed ?? true,
    ...(options.publish === false ? {} : { referralPublisher: publisher }),
    now: () => clock,
  });
  const inbox = (event: MarketplaceEvent) =>
    processor.processEvent(event, { topicName: 'inbox-referrals' });
  const outbox = (event: MarketplaceEvent) =>
    processor.processEvent(event, { topicName: 'outbox-referrals' });
  return { store, api, publisher, processor, inbox, outbox, advance };
}

/**
 * The referral in the result of a handling that reports every step of the win (each done by it or
 * left unreported by an attempt before it).
 */
export const EVERY_STEP_REPORTED = {
  id: REFERRAL_ID,
  side: 'inbox',
  status: 'processed',
  won: true,
  markedProcessed: true,
  forwarded: true,
};
