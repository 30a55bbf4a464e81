/**
 * Notifications to a person on SNS (an e-mail subscription, in practice): one Publish per
 * notification, its subject, body and attributes from notification-message.ts. The worker builds
 * it on its first notification (deferred-publishers.ts): most invocations publish none.
 */
import type { PublishCommandOutput } from '@aws-sdk/client-sns';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Notifier, OfferNotification } from '../core/ports';
import {
  checkedLinks,
  NOTIFICATION_ATTRIBUTES,
  notificationBody,
  notificationSubject,
  offerLink,
  type OfferLinks,
} from './notification-message';

/** The part of SNSClient the notifier uses (a plain object in tests). */
export interface SnsPublisher {
  send(command: PublishCommand): Promise<PublishCommandOutput>;
}

export class SnsNotifier implements Notifier {
  private readonly links: OfferLinks;

  constructor(
    private readonly client: SnsPublisher,
    private readonly topicArn: string,
    links: OfferLinks = {},
  ) {
    this.links = checkedLinks(links);
  }

  /** Resolves once SNS has accepted the message; a refusal or network error rejects. */
  async notify(notification: OfferNotification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notificationSubject(notification),
        Message: notificationBody(notification, offerLink(notification, this.links)),
        MessageAttributes: {
          [NOTIFICATION_ATTRIBUTES.kind]: { DataType: 'String', StringValue: notification.kind },
          [NOTIFICATION_ATTRIBUTES.offerId]: {
            DataType: 'String',
            StringValue: notification.offerId,
          },
        },
      }),
    );
  }
}

/** The notifier on a client of its own, as the worker builds it on its first notification. */
export function snsNotifier(topicArn: string, links: OfferLinks): SnsNotifier {
  return new SnsNotifier(new SNSClient({}), topicArn, links);
}
