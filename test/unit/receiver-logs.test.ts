/**
 * What the receiver writes to logs and EMF metrics: every line tagged with the request's
 * correlation id and the SNS message id, never the Message, Token or Signature; no request's keys
 * carried into the next; a metric for each outcome but a normal delivery (the events queue's own
 * NumberOfMessagesSent counts those), so its Metrics are built only when a first metric is written.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { onFirstMetric } from '../../lambdas/adapters/observability';
import { createReceiver } from '../../lambdas/receiver/receiver';
import { receiverHarness, type ReceiverSetup as Setup } from '../support/receiver-harness';
import { deliver } from '../support/receiver-expect';
import {
  CERT_URL,
  CONTENT_MARKER,
  FOREIGN_TOPIC_ARN,
  SUBSCRIBE_URL,
  TOKEN,
  TOPIC_ARN,
  apiEvent,
  confirmationFields,
  fakeHttpGet,
  fakeQueue,
  notificationFields,
  sign,
  type Served,
} from '../support/sns-fixtures';

const NOW = new Date();
const harness = receiverHarness({ now: NOW });
const { identity, output, certServed } = harness;

const setup = (options: { routes?: Record<string, Served>; queueError?: Error } = {}): Setup =>
  harness.setup({ ...options, allowedTopicArns: [TOPIC_ARN] });

describe('logs and metrics', () => {
  it('tags every line with correlationId and snsMessageId and never writes Message, Token or Signature', async () => {
    const s = setup();
    const notification = sign(notificationFields(NOW), identity);
    const confirmation = sign(confirmationFields('SubscriptionConfirmation', NOW), identity);
    const tampered = {
      ...sign(notificationFields(NOW), identity),
      Message: `${CONTENT_MARKER} tampered`,
    };
    await deliver(s.receive, notification, 'req-a');
    await deliver(s.receive, confirmation, 'req-b');
    await deliver(s.receive, tampered, 'req-c');
    await s.receive(apiEvent(`{"Message": "${CONTENT_MARKER}", oops`, { requestId: 'req-d' }));

    const logs = output.logs();
    expect(logs.length).toBeGreaterThanOrEqual(4);
    for (const line of logs) expect(line.correlationId).toMatch(/^req-[a-d]$/);
    for (const line of logs.filter((entry) => entry.correlationId !== 'req-d')) {
      expect(line.snsMessageId).toEqual(expect.any(String));
    }
    const text = output.text();
    expect(text).not.toContain(CONTENT_MARKER);
    expect(text).not.toContain(TOKEN);
    for (const message of [notification, confirmation])
      expect(text).not.toContain(message.Signature.slice(0, 40));
  });

  it('does not carry one request’s keys into the next request’s lines', async () => {
    const s = setup();
    await deliver(s.receive, sign(notificationFields(NOW), identity), 'req-a');
    await s.receive(apiEvent('not json', { requestId: 'req-b' }));
    const line = output.logs().find((entry) => entry.correlationId === 'req-b');
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty('snsMessageId');
  });

  it('publishes a metric per request but a normal delivery: confirmed, unsubscribed, rejected, failed', async () => {
    const s = setup({
      routes: { [CERT_URL]: certServed(), [SUBSCRIBE_URL]: { status: 200, body: '' } },
    });
    await deliver(s.receive, sign(notificationFields(NOW), identity));
    await deliver(s.receive, sign(confirmationFields('SubscriptionConfirmation', NOW), identity));
    await deliver(s.receive, sign(confirmationFields('UnsubscribeConfirmation', NOW), identity));
    await deliver(
      s.receive,
      sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity),
    );
    const failing = setup({ queueError: new Error('down') });
    await deliver(failing.receive, sign(notificationFields(NOW), identity));

    const published = output.metrics().map((blob) => {
      const aws = blob._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
      return aws.CloudWatchMetrics[0].Metrics.map((metric) => metric.Name);
    });
    // The enqueued notification publishes nothing: the events queue's NumberOfMessagesSent counts it.
    expect(published).toEqual([
      ['SubscriptionsConfirmed'],
      ['UnsubscribeConfirmations'],
      ['MessagesRejected'],
      ['DeliveriesFailed'],
    ]);
  });

  it('builds its Metrics on the first metric it writes, once, and never for normal deliveries', async () => {
    const built: Metrics[] = [];
    const queue = fakeQueue();
    const receive = createReceiver({
      allowedTopicArns: [TOPIC_ARN],
      queue,
      httpGet: fakeHttpGet({ [CERT_URL]: certServed() }).httpGet,
      logger: new Logger({ serviceName: 'receiver-test', logLevel: 'WARN' }),
      metrics: onFirstMetric(() => {
        const metrics = new Metrics({ namespace: 'ReceiverTest', serviceName: 'receiver-test' });
        built.push(metrics);
        return metrics;
      }),
      now: () => NOW,
    });
    for (let i = 0; i < 3; i += 1) await deliver(receive, sign(notificationFields(NOW), identity));
    expect(queue.sends).toHaveLength(3);
    expect(built).toHaveLength(0);
    expect(output.metrics()).toEqual([]);

    const foreign = () => sign(notificationFields(NOW, { TopicArn: FOREIGN_TOPIC_ARN }), identity);
    await deliver(receive, foreign());
    await deliver(receive, sign(notificationFields(NOW), identity));
    await deliver(receive, foreign());
    expect(built).toHaveLength(1);
    expect(output.metrics()).toHaveLength(2);
  });
});
