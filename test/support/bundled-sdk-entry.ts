/**
 * Bundled with the functions' own esbuild options (lib/bundling.ts) by
 * test/integration/bundled-sdk.test.ts and run in a fresh Node process against the emulators:
 * each AWS client the functions bundle, built as they build it, makes a real call (Secrets Manager
 * and EventBridge to the test's own JSON-protocol server). Prints one line,
 * `RESULT <json>`, after the Powertools lines.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { secretCredentials } from '../../lambdas/adapters/credentials';
import { lambdaDocuments } from '../../lambdas/adapters/dynamo-documents';
import { eventBridgeReferralPublisher } from '../../lambdas/adapters/eventbridge-referral-publisher';
import { observability } from '../../lambdas/adapters/observability';
import { identityOf, signedObjectReader } from '../../lambdas/adapters/s3-object-reader';
import { SERVICE_NAMES } from '../../lambdas/core/metric-names';

async function main(): Promise<void> {
  const [table, queueUrl, topicArn, bucket, key, secretArn, busArn] = process.argv.slice(2);
  const { logger, metrics } = observability(SERVICE_NAMES.worker);
  const documents = lambdaDocuments();
  await documents.update({
    TableName: table,
    Key: { pk: 'OFFER#bundled', sk: 'OFFER' },
    UpdateExpression: 'SET #n = :n, #l = :l',
    ExpressionAttributeNames: { '#n': 'note', '#l': 'list' },
    ExpressionAttributeValues: { ':n': 'written by the bundle', ':l': [1, 'two', { three: 3 }] },
  });
  const { Item } = await documents.get({
    TableName: table,
    Key: { pk: 'OFFER#bundled', sk: 'OFFER' },
    ConsistentRead: true,
  });

  // The endpoint named, as the sandbox names it: fauxqs's queue URLs carry a host
  // (`sqs.<region>.127.0.0.1`) that URLs refuse, which the SDK would otherwise send to.
  const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'from the bundle' }));
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
  );

  const published = await new SNSClient({}).send(
    new PublishCommand({ TopicArn: topicArn, Message: 'review me' }),
  );

  const reader = signedObjectReader({
    ...identityOf(documents.client),
    timeoutMs: 2_000,
    maxBodyBytes: 4096,
  });
  const object = await reader.get({ bucket, key });
  const text = object.kind === 'object' ? await object.text() : object.kind;

  // Secrets Manager through Powertools Parameters, and EventBridge: the worker's login and its
  // referral bus, each through its own adapter.
  const login = await secretCredentials(secretArn)();
  await eventBridgeReferralPublisher(busArn).publishReferralReceived({
    offerId: 'offer-1',
    referralId: 'referral-1',
    careType: 'psw',
    offerType: 'visit',
    startAt: '2026-12-04T09:00:00Z',
  });

  logger.info('Bundled smoke test done');
  metrics.addMetric('BundledSmoke', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  process.stdout.write(
    `\nRESULT ${JSON.stringify({
      item: Item,
      messages: (received.Messages ?? []).map((message) => message.Body),
      published: typeof published.MessageId === 'string',
      object: text,
      login: login.username,
    })}\n`,
  );
}

void main();
