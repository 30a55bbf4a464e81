/**
 * The sandbox's SQS queues on fauxqs: the events queue the receiver feeds and the worker drains,
 * with its dead-letter queue, and the depth readings the sandbox waits on.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export class SandboxQueueError extends Error {
  override readonly name = 'SandboxQueueError';
}

export interface SandboxQueues {
  url: string;
  arn: string;
  dlqUrl: string;
}

export async function createQueues(sqs: SQSClient): Promise<SandboxQueues> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'sandbox-events-dlq',
      Attributes: { MessageRetentionPeriod: '1209600' },
    }),
  );
  const dlqArn = await queueArn(sqs, dlq.QueueUrl);
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'sandbox-events',
      Attributes: {
        // Short, so a failed record comes back within seconds in the sandbox (AWS: the stack's value).
        VisibilityTimeout: '3',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  if (!main.QueueUrl || !dlq.QueueUrl) throw new SandboxQueueError('SQS returned no queue URL');
  return { url: main.QueueUrl, arn: await queueArn(sqs, main.QueueUrl), dlqUrl: dlq.QueueUrl };
}

async function queueArn(sqs: SQSClient, url: string | undefined): Promise<string> {
  if (!url) throw new SandboxQueueError('SQS returned no queue URL');
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = attributes.Attributes?.QueueArn;
  if (!arn) throw new SandboxQueueError(`SQS returned no ARN for ${url}`);
  return arn;
}

/** Messages waiting plus messages in flight (received, not yet deleted or back). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The depth, or undefined when SQS no longer answers (Ctrl-C reaches fauxqs too). */
export async function queueDepthOrUndefined(
  sqs: SQSClient,
  url: string,
): Promise<number | undefined> {
  try {
    return await queueDepth(sqs, url);
  } catch {
    return undefined;
  }
}

export const queueDrained = async (sqs: SQSClient, url: string) =>
  (await queueDepth(sqs, url)) === 0;
