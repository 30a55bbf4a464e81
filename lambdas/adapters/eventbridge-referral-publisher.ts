import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ReferralEventPublisher, ReferralReceivedEvent } from '../core/ports';

/**
 * Puts `ReferralReceived` on the organisation's EventBridge bus (config `referrals.eventBusArn`).
 * The detail is built field by field from the PHI-free event: ids, types and the start time.
 * PutEvents can answer 200 and still refuse the entry (`FailedEntryCount`): that is an error here,
 * so the record is retried. EventBridge is at least once: consumers de-duplicate on `referralId`.
 */

export const REFERRAL_EVENT_SOURCE = 'alayacare.connector';
export const REFERRAL_RECEIVED_DETAIL_TYPE = 'ReferralReceived';

/** PutEvents refused the entry; the code and message are EventBridge's (no event content). */
export class ReferralPublishError extends Error {
  override readonly name = 'ReferralPublishError';
}

/** The detail put on the bus: exactly these fields. */
export function referralReceivedDetail(event: ReferralReceivedEvent): ReferralReceivedEvent {
  return {
    offerId: event.offerId,
    referralId: event.referralId,
    ...(event.shiftId !== undefined ? { shiftId: event.shiftId } : {}),
    careType: event.careType,
    offerType: event.offerType,
    startAt: event.startAt,
  };
}

export class EventBridgeReferralPublisher implements ReferralEventPublisher {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly eventBusArn: string,
  ) {}

  async publishReferralReceived(event: ReferralReceivedEvent): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusArn,
            Source: REFERRAL_EVENT_SOURCE,
            DetailType: REFERRAL_RECEIVED_DETAIL_TYPE,
            Detail: JSON.stringify(referralReceivedDetail(event)),
          },
        ],
      }),
    );
    const entry = output.Entries?.[0];
    if (
      (output.FailedEntryCount ?? 0) > 0 ||
      entry === undefined ||
      entry.ErrorCode !== undefined ||
      entry.EventId === undefined
    ) {
      const code = entry?.ErrorCode ?? 'no entry result';
      throw new ReferralPublishError(
        `PutEvents refused ReferralReceived: ${code}${entry?.ErrorMessage ? ` (${entry.ErrorMessage.slice(0, 200)})` : ''}`,
      );
    }
  }
}

/**
 * The publisher on a client of its own, as the worker builds it on its first won referral
 * (deferred-publishers.ts).
 */
export function eventBridgeReferralPublisher(eventBusArn: string): EventBridgeReferralPublisher {
  return new EventBridgeReferralPublisher(new EventBridgeClient({ maxAttempts: 3 }), eventBusArn);
}
