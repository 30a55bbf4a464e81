/**
 * Covers the fixes behind the HIPAA Security and Serverless packs (issue 12): every log group
 * under the data key, whose policy lets CloudWatch Logs of its own account and region use it;
 * both secrets under the data key, read by the functions through Secrets Manager only; the
 * reconciler's schedule target with a dead-letter queue and its asynchronous invocations with an
 * on-failure destination, one alarmed queue; the newest Node.js runtime aws-cdk-lib knows, with
 * the bundle's target; reserved concurrency for the worker and the reconciler; and the optional
 * AWS Backup plan (config backup), off by default.
 */
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { CONNECTOR_BUNDLING, CONNECTOR_RUNTIME } from '../../lib/bundling';
import { validateConnectorConfig } from '../../lib/load-config';
import { RECONCILER_RESERVED_CONCURRENCY } from '../../lib/reconciler';
import {
  build,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
  statementsOf,
  type Built,
} from './infra-support';

type Json = Record<string, unknown>;

const withSharedSecret = (): ConnectorConfig => ({
  ...exampleConfig(),
  receiver: { requireSignatureVersion2: false, sharedSecret: { enabled: true } },
  workerMaxConcurrency: 7,
});

let built: Built;
let dataKeyId: string;
beforeAll(() => {
  built = build(withSharedSecret());
  dataKeyId = onlyResource(built.stateTemplate, 'AWS::KMS::Key').id;
});

/** How the app stack refers to the state stack's data key (an import of its ARN). */
const isDataKeyArn = (value: unknown): boolean =>
  JSON.stringify(value) === JSON.stringify({ 'Fn::GetAtt': [dataKeyId, 'Arn'] }) ||
  (JSON.stringify(value).includes('Fn::ImportValue') &&
    JSON.stringify(value).includes(`GetAtt${dataKeyId}Arn`));

describe('log groups', () => {
  it('every log group of both stacks is encrypted with the data key', () => {
    const groups = [
      ...Object.values(resourcesOf(built.stateTemplate, 'AWS::Logs::LogGroup')),
      ...Object.values(resourcesOf(built.appTemplate, 'AWS::Logs::LogGroup')),
    ];
    // Receiver, worker, reconciler, API access logs, rules publication.
    expect(groups).toHaveLength(5);
    for (const group of groups) expect(isDataKeyArn(group.Properties?.['KmsKeyId'])).toBe(true);
  });

  it("the data key lets CloudWatch Logs of its region use it for this account's log groups only", () => {
    const key = onlyResource(built.stateTemplate, 'AWS::KMS::Key').properties;
    const statements = (key['KeyPolicy'] as { Statement: Json[] }).Statement;
    const logs = statements.filter((s) => JSON.stringify(s['Principal']).includes('logs.'));
    expect(logs).toHaveLength(1);
    const [statement] = logs as [Json];
    expect(statement['Principal']).toEqual({
      Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
    });
    expect(statement['Action']).toEqual(
      expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
    );
    expect(statement['Condition']).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':logs:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':log-group:*',
            ],
          ],
        },
      },
    });
  });
});

describe('secrets', () => {
  it('the credentials and the shared secret are under the data key', () => {
    const secrets = Object.values(resourcesOf(built.stateTemplate, 'AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const secret of secrets)
      expect(secret.Properties?.['KmsKeyId']).toEqual({ 'Fn::GetAtt': [dataKeyId, 'Arn'] });
  });

  it.each(['worker', 'reconciler', 'receiver'])(
    'the %s decrypts with the data key through Secrets Manager only',
    (service) => {
      const decrypts = statementsOf(built.appTemplate, service).filter((s) =>
        JSON.stringify(s).includes('"kms:ViaService":{"Fn::Join":["",["secretsmanager.'),
      );
      expect(decrypts).toHaveLength(1);
      const [decrypt] = decrypts as [(typeof decrypts)[number] & { Condition: unknown }];
      expect(decrypt.Action).toBe('kms:Decrypt');
      expect(isDataKeyArn(decrypt.Resource)).toBe(true);
      expect(JSON.stringify(decrypt.Condition)).toContain('secretsmanager.');
    },
  );

  it("the data key's policy names no role of the app stack (no cross-stack cycle)", () => {
    const key = onlyResource(built.stateTemplate, 'AWS::KMS::Key').properties;
    expect(JSON.stringify(key['KeyPolicy'])).not.toContain('ImportValue');
    expect(JSON.stringify(key['KeyPolicy'])).not.toContain('Role');
  });

  it('an imported secret is read by its ARN and no key of ours is granted for it', () => {
    const arn = 'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123';
    const imported = build({ ...exampleConfig(), credentialsSecretArn: arn });
    imported.stateTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const worker = statementsOf(imported.appTemplate, 'worker');
    expect(worker).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: arn,
        }),
      ]),
    );
    expect(JSON.stringify(worker)).not.toContain('secretsmanager.');
  });
});

describe('the receiver, open to the internet', () => {
  it('may use the data key only through SQS (to send) and Secrets Manager (to read the shared secret)', () => {
    const kms = statementsOf(built.appTemplate, 'receiver').filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('kms:')),
    );
    expect(kms).toHaveLength(2);
    const through = (service: string) =>
      kms.filter((s) =>
        JSON.stringify(s).includes(`"kms:ViaService":{"Fn::Join":["",["${service}.`),
      );
    const [send] = through('sqs') as [(typeof kms)[number]];
    expect([send.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(isDataKeyArn(send.Resource)).toBe(true);
    const [read] = through('secretsmanager') as [(typeof kms)[number]];
    expect(read.Action).toBe('kms:Decrypt');
    expect(isDataKeyArn(read.Resource)).toBe(true);
  });
});

describe('the reconciler failure path', () => {
  const failureQueueId = () =>
    Object.keys(resourcesOf(built.appTemplate, 'AWS::SQS::Queue')).find((id) =>
      id.startsWith('ReconcilerFailures'),
    );

  it('is one KMS-encrypted, TLS-only queue under the messaging key (not the data key)', () => {
    const id = failureQueueId();
    expect(id).toBeDefined();
    const queue = resourcesOf(built.appTemplate, 'AWS::SQS::Queue')[id ?? ''];
    const keyRef = queue.Properties?.['KmsMasterKeyId'] as { 'Fn::GetAtt': [string, string] };
    expect(keyRef['Fn::GetAtt'][0]).toMatch(/^NotificationTopicKey/);
    const policy = onlyResource(built.appTemplate, 'AWS::SQS::QueuePolicy', (p) =>
      JSON.stringify(p['Queues']).includes(id ?? '-'),
    ).properties;
    expect(JSON.stringify(policy)).toContain('aws:SecureTransport');
  });

  it("is the schedule target's dead-letter queue, and EventBridge may send to it and use its key", () => {
    const rule = onlyResource(built.appTemplate, 'AWS::Events::Rule').properties;
    const [target] = rule['Targets'] as [Json];
    expect(target['DeadLetterConfig']).toEqual({
      Arn: { 'Fn::GetAtt': [failureQueueId(), 'Arn'] },
    });
    const key = Object.entries(resourcesOf(built.appTemplate, 'AWS::KMS::Key')).find(([id]) =>
      id.startsWith('NotificationTopicKey'),
    );
    const events = (key?.[1].Properties?.['KeyPolicy'] as { Statement: Json[] }).Statement.filter(
      (s) => JSON.stringify(s['Principal']).includes('events.amazonaws.com'),
    );
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).toContain('aws:SourceAccount');
  });

  it("is the on-failure destination of the reconciler's asynchronous invocations", () => {
    const config = onlyResource(built.appTemplate, 'AWS::Lambda::EventInvokeConfig').properties;
    expect(config['DestinationConfig']).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [failureQueueId(), 'Arn'] } },
    });
    expect(config['FunctionName']).toEqual({
      Ref: functionFor(built.appTemplate, 'reconciler').id,
    });
  });

  it('is watched by the ReconcilerRunLost alarm', () => {
    const alarm = onlyResource(built.appTemplate, 'AWS::CloudWatch::Alarm', (p) =>
      JSON.stringify(p['Dimensions']).includes(failureQueueId() ?? '-'),
    ).properties;
    expect(alarm).toEqual(
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  });
});

describe('functions', () => {
  it('run the newest Node.js runtime aws-cdk-lib knows, and the bundle targets that major', () => {
    const major = (name: string) => Number(/^nodejs(\d+)\.x$/.exec(name)?.[1] ?? NaN);
    const newest = Math.max(
      ...Runtime.ALL.map((r) => major(r.name)).filter((n) => !Number.isNaN(n)),
    );
    expect(major(CONNECTOR_RUNTIME.name)).toBe(newest);
    expect(CONNECTOR_BUNDLING.target).toBe(`node${newest}`);
    for (const fn of Object.values(resourcesOf(built.appTemplate, 'AWS::Lambda::Function')))
      expect(fn.Properties?.['Runtime']).toBe(CONNECTOR_RUNTIME.name);
  });

  it('reserve the worker as many executions as the queue may drive, the reconciler one, the receiver none (the API throttle bounds it)', () => {
    const reserved = (service: string) =>
      functionFor(built.appTemplate, service).properties['ReservedConcurrentExecutions'];
    expect(reserved('worker')).toBe(7);
    const mapping = onlyResource(built.appTemplate, 'AWS::Lambda::EventSourceMapping').properties;
    expect(mapping['ScalingConfig']).toEqual({ MaximumConcurrency: 7 });
    expect(reserved('reconciler')).toBe(RECONCILER_RESERVED_CONCURRENCY);
    expect(RECONCILER_RESERVED_CONCURRENCY).toBe(1);
    expect(reserved('receiver')).toBeUndefined();
  });

  it('reserve nothing with reserveConcurrency off (small accounts), and the queue still caps the worker', () => {
    const off = build({ ...exampleConfig(), workerMaxConcurrency: 7, reserveConcurrency: false });
    for (const service of ['worker', 'reconciler', 'receiver'])
      expect(
        functionFor(off.appTemplate, service).properties['ReservedConcurrentExecutions'],
      ).toBeUndefined();
    const mapping = onlyResource(off.appTemplate, 'AWS::Lambda::EventSourceMapping').properties;
    expect(mapping['ScalingConfig']).toEqual({ MaximumConcurrency: 7 });
  });
});

describe('backup (config backup)', () => {
  it('is off by default: no plan, vault or selection', () => {
    expect(exampleConfig().backup).toEqual({ enabled: false, retentionDays: 35 });
    for (const type of [
      'AWS::Backup::BackupPlan',
      'AWS::Backup::BackupVault',
      'AWS::Backup::BackupSelection',
    ])
      built.stateTemplate.resourceCountIs(type, 0);
  });

  it('when enabled, backs up the table daily into a vault under the data key, kept retentionDays', () => {
    const on = build({ ...exampleConfig(), backup: { enabled: true, retentionDays: 90 } });
    const vault = onlyResource(on.stateTemplate, 'AWS::Backup::BackupVault');
    expect(vault.properties['EncryptionKeyArn']).toEqual({ 'Fn::GetAtt': [dataKeyId, 'Arn'] });
    expect(vault.resource['DeletionPolicy']).toBe('RetainExceptOnCreate');
    expect(vault.resource['UpdateReplacePolicy']).toBe('Retain');
    const plan = onlyResource(on.stateTemplate, 'AWS::Backup::BackupPlan').properties;
    const [rule] = (plan['BackupPlan'] as { BackupPlanRule: Json[] }).BackupPlanRule as [Json];
    expect(rule['ScheduleExpression']).toBe('cron(0 7 * * ? *)');
    expect(rule['Lifecycle']).toEqual({ DeleteAfterDays: 90 });
    expect(rule['TargetBackupVault']).toEqual({ 'Fn::GetAtt': [vault.id, 'BackupVaultName'] });
    const tableId = onlyResource(on.stateTemplate, 'AWS::DynamoDB::Table').id;
    const selection = onlyResource(on.stateTemplate, 'AWS::Backup::BackupSelection').properties;
    expect(JSON.stringify(selection['BackupSelection'])).toContain(tableId);
  });
});

describe('config backup validation', () => {
  const raw = () => JSON.parse(JSON.stringify(exampleConfig())) as Json;
  it.each<[string, unknown, RegExp]>([
    ['enabled not a boolean', { enabled: 'yes' }, /backup\.enabled: .*Expected boolean/],
    ['retentionDays 0', { enabled: true, retentionDays: 0 }, /backup\.retentionDays: .*>=1/],
    [
      'retentionDays over 10 years',
      { enabled: true, retentionDays: 3651 },
      /backup\.retentionDays: .*<=3650/,
    ],
    [
      'retentionDays not whole',
      { enabled: true, retentionDays: 1.5 },
      /backup\.retentionDays: .*int/,
    ],
    ['an unknown field', { enabled: true, days: 30 }, /backup: unknown field "days"/],
    ['not an object', 'on', /backup: .*Expected Object/],
  ])('refuses %s, naming the field', (_label, backup, message) => {
    expect(() => validateConnectorConfig({ ...raw(), backup })).toThrow(message);
  });

  it('accepts enabled alone (35 days) and a retention within 1-3650', () => {
    expect(validateConnectorConfig({ ...raw(), backup: { enabled: true } }).backup).toEqual({
      enabled: true,
      retentionDays: 35,
    });
    expect(
      validateConnectorConfig({ ...raw(), backup: { enabled: true, retentionDays: 3650 } }).backup,
    ).toEqual({ enabled: true, retentionDays: 3650 });
  });
});
