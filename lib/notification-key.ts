import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The one customer managed key of the app stack's SNS topics: the alarm topic and, when
 * notifications are on, the review topic. A key costs 1 USD a month, so the two topics share one
 * instead of a key each. Both carry only ids, counts and rule names (never client data), both are
 * transient (nothing stays encrypted under the key), and neither key grant reaches the offer data:
 * the table, queues and secret keep their own key (state stack). CloudWatch may use this key so
 * alarms can publish to the encrypted alarm topic (SNS's AWS managed key, aws/sns, cannot be
 * opened to CloudWatch); which topic an alarm publishes to is still each topic's own policy.
 */
export function notificationTopicKey(scope: Construct, id: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description: 'AlayaCare connector: encrypts the alarm and review notification topics',
    enableKeyRotation: true,
    // Notifications are transient; nothing stays encrypted under this key.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  return key;
}
