/**
 * The worker's review topic (notifications) and referral bus (won referrals) as ports whose client
 * is built on the first call (first-use.ts): most invocations publish neither, so most cold starts
 * build neither client. deferred-event-queue.ts does the same for the events queue (the worker's
 * record hand-backs, the reconciler's sends).
 *
 * Configuration is checked by the handlers at start, before any of this is built.
 */
import type { Notifier, ReferralEventPublisher } from '../core/ports';
import { eventBridgeReferralPublisher } from './eventbridge-referral-publisher';
import { onFirstUse } from './first-use';
import type { OfferLinks } from './notification-message';
import { snsNotifier } from './sns-notifier';

/** The review topic's notifier; `links` already checked (notification-message.ts checkedLinks). */
export function deferredNotifier(topicArn: string, links: OfferLinks): Notifier {
  const notifier = onFirstUse(() => snsNotifier(topicArn, links));
  return { notify: async (notification) => (await notifier()).notify(notification) };
}

/** The referral bus's publisher; `eventBusArn` already checked against EVENT_BUS_ARN_PATTERN. */
export function deferredReferralPublisher(eventBusArn: string): ReferralEventPublisher {
  const publisher = onFirstUse(() => eventBridgeReferralPublisher(eventBusArn));
  return {
    publishReferralReceived: async (event) => (await publisher()).publishReferralReceived(event),
  };
}
