import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EncryptionSettings } from '../lambdas/core/encryption-config';

/**
 * The connector's two customer managed keys, and no more: a key costs 1 USD a month.
 *
 * - The data key (state stack, retained): everything that stays, or that may hold marketplace
 *   data: the offer table, the events queue and its dead-letter queue, the rules bucket, the
 *   credentials and shared secrets, the AWS Backup vault, and every log group of both stacks
 *   (logs outlive the app stack, so their key must outlive it too).
 * - The messaging key (app stack): the transient messages of the app stack, which carry ids,
 *   counts and rule names only: the alarm and review topics and the reconciler's failure queue.
 *   CloudWatch (alarms) and EventBridge (dead letters) must use it; keeping those services off the
 *   data key's policy is why the two are apart.
 *
 * Both are config `encryption.keys: "customer-managed"` (the default). With `"aws-managed"` there
 * is neither: each service encrypts with the key AWS owns or manages for it (the table, queues,
 * bucket and log groups with keys AWS owns, the secrets with aws/secretsmanager, the review topic
 * with aws/sns), and the alarm topic is not encrypted, because CloudWatch cannot publish to a
 * topic under an AWS managed key (that key's policy cannot name it). README, Security: the trade-off.
 */

/** Whether the config asks for the connector's own keys (the default) rather than AWS's. */
export function customerManagedKeys(encryption: EncryptionSettings): boolean {
  return encryption.keys === 'customer-managed';
}

/** A queue's encryption: under `key`, or without one, SQS's own (SSE-SQS: no key, no KMS requests). */
export function queueEncryption(
  key: kms.IKey | undefined,
): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return key !== undefined
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}

/** Secrets Manager's AWS managed key, by the alias its API accepts. */
export const AWS_MANAGED_SECRETS_KEY_ALIAS = 'alias/aws/secretsmanager';

/**
 * Names aws/secretsmanager as the key of a secret the stack creates without the data key, where
 * leaving the key out would mean the same for a new secret. Named, a switch from the data key
 * re-encrypts the secret under it: the deployment asks for that key, instead of counting on a
 * removed property being read as "back to the default", which the roles, no longer granted the
 * data key, would pay for at their next login.
 */
export function underAwsManagedSecretsKey(secret: secretsmanager.Secret): void {
  (secret.node.defaultChild as secretsmanager.CfnSecret).kmsKeyId = AWS_MANAGED_SECRETS_KEY_ALIAS;
}

/** SNS's AWS managed key: no monthly fee; its policy, AWS's, lets the account's principals use it through SNS. */
export const AWS_MANAGED_SNS_KEY_ALIAS = 'alias/aws/sns';

/**
 * SNS's AWS managed key (aws/sns), imported by its alias: for a topic that only principals of this
 * account publish to (CloudWatch alarms, a service, cannot use it).
 */
export function awsManagedSnsKey(scope: Construct, id: string): kms.IKey {
  return kms.Alias.fromAliasName(scope, id, AWS_MANAGED_SNS_KEY_ALIAS);
}

/**
 * Whether a key is an AWS managed key imported by its alias (`alias/aws/...`). IAM cannot name
 * such a key, and needs not: its key policy lets every principal of the account use it through
 * its service. CDK would grant on every key of the account whose alias matches instead, so the
 * grants of a resource under one are left out (ConnectorFunction.bindNotificationTopic).
 */
export function isAwsManagedKey(key: kms.IKey): boolean {
  return !Token.isUnresolved(key.keyId) && key.keyId.startsWith('alias/aws/');
}

/** The data key, with the statement CloudWatch Logs needs to encrypt this account's log groups with it. */
export function dataKey(scope: Construct, id: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description:
      'AlayaCare connector: encrypts the offer table, the events queues, the rules bucket, the secrets, the backups and the log groups',
    enableKeyRotation: true,
    // Kept on delete and on replacement (what is under it stays readable); deleted only when the
    // deployment that created it rolls back, which would otherwise leave a billed key behind.
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  allowCloudWatchLogs(key);
  return key;
}

/**
 * Lets CloudWatch Logs of the key's own region encrypt and decrypt log groups of the key's own
 * account and region, and nothing else: the encryption context of every call names the log group
 * (AWS's documented key policy for log group encryption). The log groups are in two stacks and
 * their names are generated, so the condition names the account's log groups, not each one.
 */
function allowCloudWatchLogs(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        'kms:Encrypt*',
        'kms:Decrypt*',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:Describe*',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': logGroupArnPattern(stack),
        },
      },
    }),
  );
}

/** `arn:<partition>:logs:<region>:<account>:log-group:*` of a stack's environment. */
function logGroupArnPattern(stack: Stack): string {
  return stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The app stack's messaging key: the alarm and review topics and the reconciler's failure queue.
 * CloudWatch may use it so alarms can publish to the encrypted alarm topic (SNS's AWS managed
 * key, aws/sns, cannot be opened to CloudWatch); EventBridge rules of this account may use it to
 * put a schedule's undeliverable event on the failure queue. Which topic or queue each may write
 * to is still the topic's or queue's own policy. Nothing stays encrypted under it for long
 * (notifications are transient, the failure queue keeps 14 days), so it goes with the stack.
 */
export function messagingKey(scope: Construct, id: string): kms.Key {
  const key = new kms.Key(scope, id, {
    description:
      "AlayaCare connector: encrypts the alarm and review notification topics and the reconciler's failure queue",
    enableKeyRotation: true,
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
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesOfThisAccountToSendDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: '*',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return key;
}
