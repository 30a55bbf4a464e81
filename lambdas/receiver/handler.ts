/**
 * Lambda entry point for the SNS receiver: builds the AWS clients once per execution environment
 * and hands them to `createReceiver`. All behaviour lives there.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { fetchHttpGet } from '../adapters/http-get';
import { requireEnv } from '../adapters/env';
import { SqsEventQueue } from '../adapters/sqs-event-queue';
import { createReceiver } from './receiver';

export class InvalidTopicListError extends Error {
  override readonly name = 'InvalidTopicListError';
}

const env = requireEnv(['QUEUE_URL', 'ALLOWED_TOPIC_ARNS']);
const allowedTopicArns = env.ALLOWED_TOPIC_ARNS.split(',')
  .map((arn) => arn.trim())
  .filter((arn) => arn.length > 0);
if (allowedTopicArns.length === 0) {
  throw new InvalidTopicListError('ALLOWED_TOPIC_ARNS lists no topic ARN');
}

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'receiver';

export const handler = createReceiver({
  allowedTopicArns,
  queue: new SqsEventQueue(new SQSClient({}), env.QUEUE_URL),
  httpGet: fetchHttpGet,
  logger: new Logger({ serviceName }),
  metrics: new Metrics({ namespace: 'AlayaCareConnector', serviceName }),
});
