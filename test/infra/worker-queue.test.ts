/**
 * Covers how the worker is tied to its queue in the synthesised templates (bundling skipped):
 * QUEUE_URL and the grants it needs to hand records back (change visibility, send, and the data
 * key for sending to the encrypted queue), and that the Lambda timeout, the visibility timeout
 * and the receive count are the worker timing's (lambdas/worker/timing.ts) and still fit its
 * leases and retry delays. The relations themselves are test/unit/worker-timing.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { timingProblems, WORKER_TIMING } from '../../lambdas/worker/timing';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
} from './infra-support';

let state: Template;
let app: Template;
beforeAll(() => {
  const built = build(exampleConfig());
  state = built.stateTemplate;
  app = built.appTemplate;
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function workerStatements(): Statement[] {
  const policy = onlyResource(app, 'AWS::IAM::Policy', (p) =>
    JSON.stringify(p['Roles']).includes('Worker'),
  );
  return (policy.properties['PolicyDocument'] as { Statement: Statement[] }).Statement;
}

function eventsQueue() {
  return onlyResource(state, 'AWS::SQS::Queue', (p) => p['RedrivePolicy'] !== undefined);
}

/** Statements of the worker's policy on the resource whose reference mentions `fragment`. */
function actionsOn(fragment: string): string[] {
  return workerStatements()
    .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(fragment))
    .flatMap((s) => [s.Action].flat());
}

describe('the worker hands records back to its queue', () => {
  it('knows the events queue URL', () => {
    const env = envOf(functionFor(app, 'worker').properties);
    expect(JSON.stringify(env[ENV_NAMES.queueUrl])).toContain(eventsQueue().id);
  });

  it('may change visibility of and send to the events queue', () => {
    expect(actionsOn(eventsQueue().id)).toEqual(
      expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:SendMessage']),
    );
  });

  it('may encrypt with the data key, which sending to the encrypted queue needs', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    expect(actionsOn(key.id)).toEqual(
      expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:Decrypt']),
    );
  });

  it('may not send to the dead-letter queue', () => {
    const dlq = onlyResource(state, 'AWS::SQS::Queue', (p) => p['RedrivePolicy'] === undefined);
    expect(actionsOn(dlq.id)).toEqual([]);
  });
});

describe('the worker timing in the templates', () => {
  it('sets the Lambda timeout, the visibility timeout and the receive count from the timing', () => {
    const worker = functionFor(app, 'worker');
    const queue = eventsQueue();
    expect(worker.properties['Timeout']).toBe(WORKER_TIMING.workerTimeoutS);
    expect(queue.properties['VisibilityTimeout']).toBe(WORKER_TIMING.visibilityTimeoutS);
    expect((queue.properties['RedrivePolicy'] as { maxReceiveCount: number }).maxReceiveCount).toBe(
      WORKER_TIMING.maxReceiveCount,
    );
  });

  it('still fit the leases, guard and retry delays the function runs with', () => {
    const timeout = functionFor(app, 'worker').properties['Timeout'] as number;
    const visibility = eventsQueue().properties['VisibilityTimeout'] as number;
    const maxReceiveCount = (
      eventsQueue().properties['RedrivePolicy'] as { maxReceiveCount: number }
    ).maxReceiveCount;
    const synthesised = {
      ...WORKER_TIMING,
      workerTimeoutS: timeout,
      visibilityTimeoutS: visibility,
      maxReceiveCount,
    };
    expect(timingProblems(synthesised)).toEqual([]);
    // A record whose worker crashed comes back only after its leases ran out.
    expect(visibility * 1000).toBeGreaterThanOrEqual(
      timeout * 1000 + Math.max(WORKER_TIMING.eventLeaseMs, WORKER_TIMING.decisionLeaseMs),
    );
    expect(Math.min(WORKER_TIMING.eventLeaseMs, WORKER_TIMING.decisionLeaseMs)).toBeGreaterThan(
      timeout * 1000,
    );
  });

  it('the queue-age alarm fires only past the retry delays a failing record waits out on its way to the DLQ', () => {
    const alarm = Object.entries(resourcesOf(app, 'AWS::CloudWatch::Alarm')).find(
      ([, a]) => a.Properties?.['MetricName'] === 'ApproximateAgeOfOldestMessage',
    );
    const threshold = alarm?.[1].Properties?.['Threshold'] as number;
    const delays = WORKER_TIMING.retryDelaysS;
    const toDlq = Array.from(
      { length: WORKER_TIMING.maxReceiveCount },
      (_, i) => delays[Math.min(i, delays.length - 1)] ?? 0,
    ).reduce((a, b) => a + b, 0);
    expect(threshold).toBeGreaterThan(toDlq);
  });
});
