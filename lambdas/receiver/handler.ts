/**
 * Lambda entry point for the SNS receiver: builds the AWS clients once per execution environment
 * and hands them to `createReceiver`. All behaviour lives there.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { fetchHttpGet } from '../adapters/http-get';
import { requireEnv } from '../adapters/env';
import { sharedSecretReader } from '../adapters/shared-secret-reader';
import { SqsEventQueue } from '../adapters/sqs-event-queue';
import { createReceiver } from './receiver';

export class InvalidTopicListError extends Error {
  override readonly name = 'InvalidTopicListError';
}

export class InvalidReceiverSettingError extends Error {
  override readonly name = 'InvalidReceiverSettingError';
}

const env = requireEnv(['QUEUE_URL', 'ALLOWED_TOPIC_ARNS']);
const allowedTopicArns = env.ALLOWED_TOPIC_ARNS.split(',')
  .map((arn) => arn.trim())
  .filter((arn) => arn.length > 0);
if (allowedTopicArns.length === 0) {
  throw new InvalidTopicListError('ALLOWED_TOPIC_ARNS lists no topic ARN');
}

// A typo must not quietly accept SignatureVersion 1 again: only `true`, `false` or unset.
const requireV2Setting = process.env.REQUIRE_SIGNATURE_VERSION_2 ?? 'false';
if (requireV2Setting !== 'true' && requireV2Setting !== 'false') {
  throw new InvalidReceiverSettingError('REQUIRE_SIGNATURE_VERSION_2 must be "true" or "false"');
}

// Set only when the stack created the secret; without it no Authorization header is checked.
// Set but blank is a broken deployment, not "off": refuse to start rather than accept without it.
const sharedSecretArn = process.env.SHARED_SECRET_ARN;
if (sharedSecretArn !== undefined && sharedSecretArn.trim() === '') {
  throw new InvalidReceiverSettingError('SHARED_SECRET_ARN is set but empty');
}

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'receiver';

export const handler = createReceiver({
  allowedTopicArns,
  queue: new SqsEventQueue(new SQSClient({}), env.QUEUE_URL),
  httpGet: fetchHttpGet,
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: 'AlayaCareConnector', serviceName }),
  requireSignatureVersion2: requireV2Setting === 'true',
  ...(sharedSecretArn !== undefined ? { sharedSecret: sharedSecretReader(sharedSecretArn) } : {}),
});
