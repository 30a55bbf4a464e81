/**
 * Lambda entry point for the SNS receiver: builds the AWS clients once per execution environment
 * and hands them to `createReceiver`. All behaviour lives there. The shared secret's reader loads
 * with the first request that needs it: with the secret off (the default) its Secrets Manager
 * client, a fifteenth of the receiver's start, is never loaded; with it on, every request with
 * credentials needs it and the first one loads it.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { httpGet } from '../adapters/http-get';
import { ENV_NAMES, requireEnv } from '../adapters/env';
import { observability } from '../adapters/observability';
import { SERVICE_NAMES } from '../core/metric-names';
import { SqsEventQueue } from '../adapters/sqs-event-queue';
import { sharedSecretReader } from '../adapters/shared-secret-reader';
import { createReceiver } from './receiver';

export class InvalidTopicListError extends Error {
  override readonly name = 'InvalidTopicListError';
}

export class InvalidReceiverSettingError extends Error {
  override readonly name = 'InvalidReceiverSettingError';
}

const env = requireEnv([ENV_NAMES.queueUrl, ENV_NAMES.allowedTopicArns]);
const allowedTopicArns = env.ALLOWED_TOPIC_ARNS.split(',')
  .map((arn) => arn.trim())
  .filter((arn) => arn.length > 0);
if (allowedTopicArns.length === 0) {
  throw new InvalidTopicListError(`${ENV_NAMES.allowedTopicArns} lists no topic ARN`);
}

// A typo must not quietly accept SignatureVersion 1 again: only `true`, `false` or unset.
const requireV2Setting = process.env[ENV_NAMES.requireSignatureVersion2] ?? 'false';
if (requireV2Setting !== 'true' && requireV2Setting !== 'false') {
  throw new InvalidReceiverSettingError(
    `${ENV_NAMES.requireSignatureVersion2} must be "true" or "false"`,
  );
}

// Set only when the stack created the secret; without it no Authorization header is checked.
// Set but blank is a broken deployment, not "off": refuse to start rather than accept without it.
const sharedSecretArn = process.env[ENV_NAMES.sharedSecretArn];
if (sharedSecretArn !== undefined && sharedSecretArn.trim() === '') {
  throw new InvalidReceiverSettingError(`${ENV_NAMES.sharedSecretArn} is set but empty`);
}

// Its Metrics are built on the first metric: a normal delivery writes none.
const { logger, metrics } = observability(SERVICE_NAMES.receiver);

export const handler = createReceiver({
  allowedTopicArns,
  // Its middleware resolved once, on the first send, and reused (see sqs-event-queue.ts).
  queue: new SqsEventQueue(new SQSClient({ cacheMiddleware: true }), env.QUEUE_URL),
  httpGet,
  logger,
  metrics,
  requireSignatureVersion2: requireV2Setting === 'true',
  // Read on the first request with credentials, then cached by Powertools
  // (shared-secret-reader.ts), whose Secrets Manager client is built on that first read; a failed
  // read answers 503.
  ...(sharedSecretArn !== undefined ? { sharedSecret: sharedSecretReader(sharedSecretArn) } : {}),
});
