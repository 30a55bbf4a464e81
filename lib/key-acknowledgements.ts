import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { acknowledge } from './nag';

/**
 * The cdk-nag findings that config `encryption.keys: "aws-managed"` raises (HIPAA Security wants
 * a customer managed key on log groups, buckets and topics), acknowledged only in that mode,
 * each on its one resource, with the option's trade-off as the reason. With the connector's own
 * keys (the default) none of them arises, and none of these is called. The table (AWS owned key)
 * and the queues (SSE-SQS) raise none: the packs accept the services' own encryption there. Nor
 * do the secrets: they name aws/secretsmanager by its alias (keys.ts underAwsManagedSecretsKey),
 * which the HIPAA rule takes for a customer managed key (it flags only a missing key or the bare
 * name `aws/secretsmanager`); their trade-off is the README's (Security, Encryption keys).
 */

/** What every one of them gives up, chosen in config (README, Security: the trade-off). */
const TRADE_OFF =
  'Config encryption.keys is "aws-managed", chosen to save the two customer managed keys (about 2 USD a month and their requests): the data is still encrypted at rest, but under a key AWS owns or manages, whose policy is AWS\'s, so the organisation can neither restrict it nor disable or delete it to make the data unreadable at once';

/** A log group without the data key: CloudWatch Logs encrypts it with its own keys. */
export function acknowledgeLogGroupWithoutKey(logGroup: logs.LogGroup): void {
  acknowledge(
    logGroup,
    'HIPAA.Security-CloudWatchLogGroupEncrypted',
    `${TRADE_OFF}. CloudWatch Logs encrypts this log group with keys it owns (their use is not in the account's CloudTrail); who may read it is still IAM (logs:*), and no client data reaches a log line (README, No PHI, proven).`,
  );
}

/** The rules bucket without the data key: S3's own keys (SSE-S3). */
export function acknowledgeBucketWithoutKey(bucket: s3.Bucket): void {
  acknowledge(
    bucket,
    'HIPAA.Security-S3DefaultEncryptionKMS',
    `${TRADE_OFF}. S3 encrypts the objects with keys it owns (SSE-S3); the bucket holds the rules only, never client data, and is private and TLS-only.`,
  );
}

/**
 * The alarm topic without the messaging key: unencrypted, because CloudWatch alarms cannot
 * publish to a topic under SNS's AWS managed key (aws/sns), whose policy cannot name CloudWatch.
 */
export function acknowledgeUnencryptedAlarmTopic(topic: sns.Topic): void {
  acknowledge(
    topic,
    'HIPAA.Security-SNSEncryptedKMS',
    `${TRADE_OFF}. This topic alone is not encrypted at rest: CloudWatch alarms cannot publish to a topic under SNS's AWS managed key (aws/sns), whose policy cannot name cloudwatch.amazonaws.com, and the messaging key that allowed it is not created in this mode. Its messages are alarm names, states and metric values, no client data; the topic refuses non-TLS access.`,
  );
}
