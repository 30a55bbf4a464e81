import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledgeEmailSubscription } from './nag';

export interface ReviewNotificationsProps {
  /**
   * Encrypts the topic: the app stack's messaging key, shared with the alarm topic, or with config
   * `encryption.keys: "aws-managed"` SNS's AWS managed key, aws/sns (lib/keys.ts).
   */
  readonly key: kms.IKey;
  /** Subscribed by e-mail when given (AWS asks the address to confirm). */
  readonly email?: string;
}

/**
 * The topic people are told on about offers that need them: `review` decisions and demand alerts
 * (the worker publishes, see lambdas/adapters/sns-notifier.ts). Apart from the alarm topic: its
 * readers are the people who staff offers, not the operators who keep the connector running.
 */
export class ReviewNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: ReviewNotificationsProps) {
    super(scope, id);
    // The key is shared with the alarm topic, not the table's: a grant to publish here does not
    // open the offer data.
    this.key = props.key;
    this.topic = new sns.Topic(this, 'Topic', {
      // The sender name of the e-mails.
      displayName: 'AlayaCare connector offers',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) {
      acknowledgeEmailSubscription(this.topic.addSubscription(new EmailSubscription(props.email)));
    }
  }
}
