/**
 * What the state stack synthesises from a config (bundling skipped, cdk.json feature flags on):
 * queue and DLQ protection and redrive, the visibility timeout derived from the worker timeout
 * (the worker's queue wiring and timing: worker-queue.test.ts), the table and its key, the
 * credentials secret (created or imported), the optional shared secret of the SNS endpoint, outputs,
 * and that two synths give identical templates. Siblings: stacks-endpoint-functions.test.ts and
 * stacks-alarms-reconciler.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../lambdas/worker/timing';
import { MAX_RECEIVE_COUNT } from '../../lib/constants';
import {
  app,
  arnOf,
  distinctiveConfig,
  refTo,
  state,
  useDistinctiveStacks,
} from '../support/stacks-templates';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
  type Built,
} from './infra-support';

const IMPORTED_SECRET =
  'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123';

useDistinctiveStacks();

/** Logical id of the queue with (or without) a redrive policy, i.e. events queue vs DLQ. */
function queueIds(template: Template): { events: string; dlq: string } {
  const queues = Object.entries(resourcesOf(template, 'AWS::SQS::Queue'));
  const events = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] !== undefined);
  const dlq = queues.filter(([, q]) => q.Properties?.['RedrivePolicy'] === undefined);
  if (events.length !== 1 || dlq.length !== 1)
    throw new Error('expected one events queue and one DLQ');
  return { events: events[0][0], dlq: dlq[0][0] };
}

describe('events queue and dead-letter queue', () => {
  it('encrypt both with the data key and refuse non-TLS requests', () => {
    const { events, dlq } = queueIds(state);
    const key = onlyResource(state, 'AWS::KMS::Key');
    const queues = resourcesOf(state, 'AWS::SQS::Queue');
    for (const queue of [events, dlq]) {
      expect(queues[queue].Properties?.['KmsMasterKeyId']).toEqual(arnOf(key.id));
      state.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refTo(queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('redrive to the DLQ after 5 receives; the DLQ keeps messages 14 days', () => {
    const { events, dlq } = queueIds(state);
    const eventsQueue = resourcesOf(state, 'AWS::SQS::Queue')[events];
    expect(eventsQueue.Properties?.['RedrivePolicy']).toEqual({
      deadLetterTargetArn: arnOf(dlq),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    expect(MAX_RECEIVE_COUNT).toBe(5);
    expect(resourcesOf(state, 'AWS::SQS::Queue')[dlq].Properties?.['MessageRetentionPeriod']).toBe(
      14 * 24 * 3600,
    );
  });

  it(`keep messages invisible for at least ${VISIBILITY_TIMEOUT_FACTOR}x the worker timeout`, () => {
    const { events } = queueIds(state);
    const visibility = resourcesOf(state, 'AWS::SQS::Queue')[events].Properties?.[
      'VisibilityTimeout'
    ];
    const workerTimeout = functionFor(app, 'worker').properties['Timeout'];
    expect(typeof visibility).toBe('number');
    expect(typeof workerTimeout).toBe('number');
    expect(visibility as number).toBeGreaterThanOrEqual(
      VISIBILITY_TIMEOUT_FACTOR * (workerTimeout as number),
    );
  });
});

describe('offer table', () => {
  it('is on-demand, point-in-time recoverable, encrypted with the data key, retained, with the shared key schema and TTL', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    const table = onlyResource(state, 'AWS::DynamoDB::Table');
    expect(table.properties).toEqual(
      expect.objectContaining({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: expect.objectContaining({
          PointInTimeRecoveryEnabled: true,
        }),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(key.id) },
        KeySchema: [
          { AttributeName: OFFER_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: OFFER_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: OFFER_TABLE.ttlAttribute, Enabled: true },
      }),
    );
    expect(table.resource['DeletionPolicy']).toBe('Retain');
    expect(table.resource['UpdateReplacePolicy']).toBe('Retain');
  });

  it('the data key rotates and is retained, unless the deployment that created it rolls back', () => {
    const key = onlyResource(state, 'AWS::KMS::Key');
    expect(key.properties['EnableKeyRotation']).toBe(true);
    expect(key.resource['DeletionPolicy']).toBe('RetainExceptOnCreate');
    expect(key.resource['UpdateReplacePolicy']).toBe('Retain');
  });
});

describe('credentials secret', () => {
  it('is created with a username placeholder and a generated password, and bound to the worker', () => {
    const secret = onlyResource(state, 'AWS::SecretsManager::Secret');
    expect(secret.properties['GenerateSecretString']).toEqual(
      expect.objectContaining({
        SecretStringTemplate: JSON.stringify({ username: 'CHANGE_ME' }),
        GenerateStringKey: 'password',
      }),
    );
    expect(secret.resource['DeletionPolicy']).toBe('Retain');
    expect(
      JSON.stringify(envOf(functionFor(app, 'worker').properties)['CREDENTIALS_SECRET_ARN']),
    ).toContain('Credentials');
  });

  it('is imported when credentialsSecretArn is set: no secret resource, the worker reads exactly that ARN', () => {
    const imported = build({ ...exampleConfig(), credentialsSecretArn: IMPORTED_SECRET });
    imported.stateTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(
      envOf(functionFor(imported.appTemplate, 'worker').properties)['CREDENTIALS_SECRET_ARN'],
    ).toBe(IMPORTED_SECRET);
    imported.appTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: IMPORTED_SECRET,
          }),
        ]),
      },
    });
  });
});

describe('shared secret of the SNS endpoint', () => {
  let withSecret: Built;
  beforeAll(() => {
    const config = exampleConfig();
    withSecret = build({
      ...config,
      receiver: { ...config.receiver, sharedSecret: { enabled: true } },
    });
  });
  const isShared = (p: Record<string, unknown>) =>
    String(p['Description']).includes('SNS subscription URL');

  it('is not created, bound or output by default', () => {
    expect(
      Object.values(resourcesOf(state, 'AWS::SecretsManager::Secret')).filter((r) =>
        isShared(r.Properties ?? {}),
      ),
    ).toEqual([]);
    expect(Object.keys(state.findOutputs('SharedSecretArn'))).toEqual([]);
  });

  it('is generated (48 letters and digits, URL-safe), retained, and output when enabled', () => {
    const secret = onlyResource(withSecret.stateTemplate, 'AWS::SecretsManager::Secret', isShared);
    expect(secret.properties['GenerateSecretString']).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
      IncludeSpace: false,
      RequireEachIncludedType: true,
    });
    expect(secret.resource['DeletionPolicy']).toBe('Retain');
    expect(Object.keys(withSecret.stateTemplate.findOutputs('SharedSecretArn'))).toEqual([
      'SharedSecretArn',
    ]);
  });

  it('is given to the receiver only: SHARED_SECRET_ARN and a read grant on that one secret', () => {
    const secret = onlyResource(withSecret.stateTemplate, 'AWS::SecretsManager::Secret', isShared);
    const receiver = functionFor(withSecret.appTemplate, 'receiver');
    const worker = functionFor(withSecret.appTemplate, 'worker');
    const receiverEnv = JSON.stringify(envOf(receiver.properties)['SHARED_SECRET_ARN']);
    expect(receiverEnv).toContain(secret.id);
    expect(envOf(worker.properties)).not.toHaveProperty('SHARED_SECRET_ARN');

    const statements = Object.values(
      resourcesOf(withSecret.appTemplate, 'AWS::IAM::Policy'),
    ).flatMap((policy) => {
      const roles = JSON.stringify(policy.Properties?.['Roles']);
      const document = policy.Properties?.['PolicyDocument'] as {
        Statement: Array<{ Action: unknown; Resource: unknown }>;
      };
      return document.Statement.map((statement) => ({ roles, ...statement }));
    });
    const onSharedSecret = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(secret.id),
    );
    expect(onSharedSecret).toHaveLength(1);
    expect(onSharedSecret[0]?.Action).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    expect(onSharedSecret[0]?.roles).toContain('Receiver');
    expect(onSharedSecret[0]?.roles).not.toContain('Worker');
  });
});

describe('outputs', () => {
  it('name the queue, the DLQ, the table and the secret', () => {
    for (const name of [
      'EventsQueueName',
      'DeadLetterQueueName',
      'OfferTableName',
      'CredentialsSecretArn',
    ]) {
      expect(Object.keys(state.findOutputs(name))).toEqual([name]);
    }
  });
});

describe('determinism', () => {
  it('two synths of the same config give identical templates (no timestamps or random values)', () => {
    const again = build(distinctiveConfig());
    expect(again.stateTemplate.toJSON()).toEqual(state.toJSON());
    expect(again.appTemplate.toJSON()).toEqual(app.toJSON());
  });
});
