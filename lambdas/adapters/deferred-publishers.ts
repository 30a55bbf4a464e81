/**
 * The worker's review topic (notifications) and referral bus (won referrals) as ports whose module
 * loads on the first call: most invocations publish neither. deferred-event-queue.ts does the same
 * for the events queue (the worker's record hand-backs, the reconciler's sends).
 *
 * Building such a client on first use is not enough: requiring its SDK package is most of its
 * cost (with the queue's, the worker's start took 956M instructions, 891M without). So each is
 * reached through `import()` of the adapter module that imports it; esbuild keeps that module in
 * the bundle behind an initializer that runs on the call, and ts-jest turns it into a `require`.
 * These modules import those adapters for their types only: importing one with a value would load
 * its SDK package at start again (test/unit/cold-start-imports.test.ts walks the handlers' imports
 * to keep it so).
 *
 * A failed load fails the call that needed it and every later one (first-use.ts), which the caller
 * handles as any failed call (the record is retried). Configuration is checked by the handlers at
 * start, before any of this loads.
 */
import type { Notifier, ReferralEventPublisher } from '../core/ports';
import { onFirstLoad } from './first-use';
import type { OfferLinks } from './notification-message';

/** The review topic's notifier; `links` already checked (notification-message.ts checkedLinks). */
export function deferredNotifier(topicArn: string, links: OfferLinks): Notifier {
  const notifier = onFirstLoad(async () =>
    (await import('./sns-notifier')).snsNotifier(topicArn, links),
  );
  return { notify: async (notification) => (await notifier()).notify(notification) };
}

/** The referral bus's publisher; `eventBusArn` already checked against EVENT_BUS_ARN_PATTERN. */
export function deferredReferralPublisher(eventBusArn: string): ReferralEventPublisher {
  const publisher = onFirstLoad(async () =>
    (await import('./eventbridge-referral-publisher')).eventBridgeReferralPublisher(eventBusArn),
  );
  return {
    publishReferralReceived: async (event) => (await publisher()).publishReferralReceived(event),
  };
}
