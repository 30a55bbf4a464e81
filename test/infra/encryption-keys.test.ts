/**
 * Covers config `encryption.keys` (lambdas/core/encryption-config.ts, lib/keys.ts): the
 * connector's two customer managed keys by default, exactly as before; with `aws-managed` no KMS
 * key in either stack, every resource under the key AWS owns or manages for its service (the
 * table's AWS owned key, SSE-SQS, aws/secretsmanager, SSE-S3, CloudWatch Logs' own encryption,
 * AWS Backup's default vault key, aws/sns for the review topic) and the alarm topic unencrypted;
 * no IAM statement names a key any more, and every other statement and resource policy is the
 * same as with the keys. The schema's refusals name the field. cdk-nag runs on both modes in
 * nag.test.ts; the cost model prices them in test/unit/bench-cost-variants.test.ts.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { ConnectorAppStack, StackWiringError } from '../../lib/app-stack';
import { ConnectorStateStack } from '../../lib/state-stack';
import {
  build,
  cdkJsonContext,
  exampleConfig,
  onlyResource,
  resourcesOf,
  type Built,
} from './infra-support';

type Json = Record<string, unknown>;

/** The example config as plain input (what a config file holds), with `encryption` set. */
function input(encryption: unknown): Record<string, unknown> {
  const raw = JSON.parse(JSON.stringify(exampleConfig())) as Record<string, unknown>;
  if (encryption === undefined) delete raw['encryption'];
  else raw['encryption'] = encryption;
  return raw;
}

/** Every resource the option touches: role both (reconciler), backup, shared secret, e-mails. */
const everything = (keys: 'customer-managed' | 'aws-managed'): ConnectorConfig => ({
  ...exampleConfig(),
  role: 'both',
  backup: { enabled: true, retentionDays: 35 },
  receiver: { requireSignatureVersion2: false, sharedSecret: { enabled: true } },
  alarmEmail: 'ops@example.org',
  notifications: { enabled: true, email: 'staffing@example.org' },
  encryption: { keys },
});

const templates = (built: Built): Template[] => [built.stateTemplate, built.appTemplate];
const all = (built: Built, type: string) =>
  templates(built).flatMap((t) => Object.entries(resourcesOf(t, type)));

/** Every action of every IAM statement of both stacks. */
function iamActions(built: Built): string[] {
  return all(built, 'AWS::IAM::Policy').flatMap(([, p]) =>
    (
      p.Properties?.['PolicyDocument'] as { Statement: { Action: string | string[] }[] }
    ).Statement.flatMap((s) => [s.Action].flat()),
  );
}

describe('config encryption', () => {
  it("is the connector's own keys when left out, and in the example config", () => {
    expect(parseConnectorConfig(input(undefined)).encryption).toEqual({
      keys: 'customer-managed',
    });
    expect(parseConnectorConfig(input({})).encryption).toEqual({ keys: 'customer-managed' });
    expect(exampleConfig().encryption).toEqual({ keys: 'customer-managed' });
  });

  it('takes aws-managed', () => {
    expect(parseConnectorConfig(input({ keys: 'aws-managed' })).encryption).toEqual({
      keys: 'aws-managed',
    });
  });

  it.each([
    [
      { keys: 'aws-owned' },
      'encryption.keys: Invalid type: Expected ("customer-managed" | "aws-managed") but received "aws-owned"',
    ],
    [{ keys: 'AWS-MANAGED' }, 'encryption.keys: Invalid type: Expected ("customer-managed"'],
    [{ keys: true }, 'encryption.keys: Invalid type: Expected ("customer-managed"'],
    [{ keys: 'aws-managed', keyArn: 'arn:aws:kms:x' }, 'encryption: unknown field "keyArn"'],
    ['aws-managed', 'encryption: Invalid type: Expected Object'],
  ])('refuses %j, naming the field', (encryption, message) => {
    expect(() => parseConnectorConfig(input(encryption))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input(encryption))).toThrow(message);
  });
});

describe('encryption.keys customer-managed (the default)', () => {
  let built: Built;
  beforeAll(() => {
    built = build(everything('customer-managed'));
  });

  it('synthesizes the same templates as a config without the field', () => {
    const { encryption: _given, ...rest } = everything('customer-managed');
    const implicit = build(parseConnectorConfig(JSON.parse(JSON.stringify(rest))));
    expect(implicit.stateTemplate.toJSON()).toEqual(built.stateTemplate.toJSON());
    expect(implicit.appTemplate.toJSON()).toEqual(built.appTemplate.toJSON());
  });

  it('keeps the data key (state) and the messaging key (app), the table under the data key', () => {
    const dataKey = onlyResource(built.stateTemplate, 'AWS::KMS::Key');
    expect(dataKey.id).toMatch(/^DataKey/);
    // Retained, except by the deployment that created it rolling back (no billed key left behind).
    expect(dataKey.resource['DeletionPolicy']).toBe('RetainExceptOnCreate');
    expect(dataKey.resource['UpdateReplacePolicy']).toBe('Retain');
    expect(onlyResource(built.appTemplate, 'AWS::KMS::Key').id).toMatch(/^NotificationTopicKey/);
    expect(onlyResource(built.stateTemplate, 'AWS::DynamoDB::Table').properties).toMatchObject({
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [dataKey.id, 'Arn'] },
      },
    });
    expect(iamActions(built).filter((a) => a.startsWith('kms:')).length).toBeGreaterThan(0);
  });
});

describe('encryption.keys aws-managed', () => {
  let built: Built;
  beforeAll(() => {
    built = build(everything('aws-managed'));
  });

  it('creates no KMS key in either stack', () => {
    expect(all(built, 'AWS::KMS::Key')).toEqual([]);
    expect(all(built, 'AWS::KMS::Alias')).toEqual([]);
    // Nor does the state stack's description list one.
    expect(built.stateTemplate.toJSON()['Description']).toBe(
      'AlayaCare Marketplace Connector: offer table, credentials secret, rules bucket, events queue and dead-letter queue',
    );
  });

  it("leaves the table under DynamoDB's AWS owned key (no customer managed key, no KMS requests)", () => {
    const table = onlyResource(built.stateTemplate, 'AWS::DynamoDB::Table').properties;
    // Said, not left out: a switch from the data key must tell DynamoDB to go back to its own key.
    expect(table['SSESpecification']).toEqual({ SSEEnabled: false });
  });

  it('puts the events queue, its dead-letter queue and the reconciler failures under SSE-SQS', () => {
    const queues = all(built, 'AWS::SQS::Queue');
    expect(queues.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'DeadLetterQueue',
      'EventsQueue',
      'ReconcilerFailures',
    ]);
    for (const [, queue] of queues) {
      expect(queue.Properties?.['SqsManagedSseEnabled']).toBe(true);
      expect(queue.Properties).not.toHaveProperty('KmsMasterKeyId');
    }
  });

  it('puts the secrets under aws/secretsmanager, the log groups to CloudWatch Logs, the bucket to SSE-S3, the vault to its default key', () => {
    const secrets = all(built, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(2);
    // Named, not left out: a switch from the data key re-encrypts them under this key.
    for (const [, secret] of secrets)
      expect(secret.Properties?.['KmsKeyId']).toBe('alias/aws/secretsmanager');
    const groups = all(built, 'AWS::Logs::LogGroup');
    // Receiver, worker, reconciler, API access logs, rules publication.
    expect(groups).toHaveLength(5);
    for (const [, group] of groups) expect(group.Properties).not.toHaveProperty('KmsKeyId');
    const bucket = onlyResource(built.stateTemplate, 'AWS::S3::Bucket').properties;
    expect(bucket['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    const vault = onlyResource(built.stateTemplate, 'AWS::Backup::BackupVault').properties;
    expect(vault).not.toHaveProperty('EncryptionKeyArn');
  });

  it('puts the review topic under aws/sns and leaves the alarm topic unencrypted (CloudWatch cannot use aws/sns)', () => {
    const topic = (prefix: string) =>
      onlyResource(built.appTemplate, 'AWS::SNS::Topic', (p) => JSON.stringify(p).includes(prefix))
        .properties;
    const review = topic('AlayaCare connector offers');
    expect(JSON.stringify(review['KmsMasterKeyId'])).toMatch(/:alias\/aws\/sns"\]\]\}$/);
    expect(topic('AlayaCare connector alarms')).not.toHaveProperty('KmsMasterKeyId');
  });

  it('grants the worker sns:Publish on the review topic and no KMS action anywhere', () => {
    expect(iamActions(built).filter((a) => a.startsWith('kms:'))).toEqual([]);
    const reviewTopicId = onlyResource(built.appTemplate, 'AWS::SNS::Topic', (p) =>
      JSON.stringify(p).includes('AlayaCare connector offers'),
    ).id;
    const publishes = all(built, 'AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties?.['PolicyDocument'] as { Statement: Json[] }).Statement.filter((s) =>
        [s['Action']].flat().includes('sns:Publish'),
      ).map((s) => ({ id, statement: s })),
    );
    expect(publishes).toEqual([
      {
        id: expect.stringMatching(/^WorkerRoleDefaultPolicy/),
        statement: { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: reviewTopicId } },
      },
    ]);
  });

  it('changes nothing else in IAM or in a resource policy: only the statements that named a key are gone', () => {
    const withKeys = build(everything('customer-managed'));
    /** Each policy's statements, those with a KMS action left out; a policy left empty is dropped. */
    const policies = (b: Built) =>
      Object.fromEntries(
        [
          'AWS::IAM::Policy',
          'AWS::IAM::Role',
          'AWS::SQS::QueuePolicy',
          'AWS::SNS::TopicPolicy',
          'AWS::S3::BucketPolicy',
        ]
          .flatMap((type) => all(b, type))
          .map(([id, r]) => {
            const properties = JSON.parse(JSON.stringify(r.Properties ?? {})) as Json;
            const document = (properties['PolicyDocument'] ?? {}) as { Statement?: Json[] };
            if (document.Statement !== undefined)
              document.Statement = document.Statement.filter(
                (s) => ![s['Action']].flat().some((a) => String(a).startsWith('kms:')),
              );
            return [id, properties] as const;
          })
          .filter(
            ([, p]) =>
              (p['PolicyDocument'] as { Statement?: Json[] } | undefined)?.Statement?.length !== 0,
          ),
      );
    expect(policies(built)).toEqual(policies(withKeys));
  });

  it('switching republishes the rules out from under the old key: only under AWS keys does the copy name SSE-S3', () => {
    const copyOf = (b: Built) => {
      const publication = onlyResource(b.stateTemplate, 'Custom::AWS').properties;
      return {
        create: JSON.stringify(publication['Create']),
        update: JSON.stringify(publication['Update']),
      };
    };
    const aws = copyOf(built);
    const own = copyOf(build(everything('customer-managed')));
    for (const call of [aws.create, aws.update])
      expect(call).toContain('\\"ServerSideEncryption\\":\\"AES256\\"');
    for (const call of [own.create, own.update]) expect(call).not.toContain('ServerSideEncryption');
    // So the two differ, and CloudFormation updates the publication (a copy) on a switch.
    expect(aws.update).not.toEqual(own.update);
  });

  it('puts the backups in another vault (a vault cannot change its key in place), the plan pointing at it', () => {
    const vaultOf = (b: Built) => onlyResource(b.stateTemplate, 'AWS::Backup::BackupVault');
    const aws = vaultOf(built);
    const own = vaultOf(build(everything('customer-managed')));
    expect(aws.id).not.toEqual(own.id);
    expect(aws.properties['BackupVaultName']).not.toEqual(own.properties['BackupVaultName']);
    // Kept with its recovery points, but not left behind by a deployment that rolls back.
    for (const vault of [aws, own]) {
      expect(vault.resource['DeletionPolicy']).toBe('RetainExceptOnCreate');
      expect(vault.resource['UpdateReplacePolicy']).toBe('Retain');
    }
    const plan = onlyResource(built.stateTemplate, 'AWS::Backup::BackupPlan').properties;
    expect(JSON.stringify(plan)).toContain(`"Fn::GetAtt":["${aws.id}","BackupVaultName"]`);
  });

  it('can be switched to with the app stack deployed first: it imports nothing the state stack with keys lacks, and only the data key export goes', () => {
    const withKeys = build(everything('customer-managed'));
    const imports = (t: Template) =>
      new Set(JSON.stringify(t.toJSON()).match(/(?<="Fn::ImportValue":")[^"]+/g) ?? []);
    const exports = (t: Template) =>
      new Set(
        Object.values(t.toJSON()['Outputs'] as Record<string, { Export?: { Name: string } }>)
          .map((o) => o.Export?.Name)
          .filter((name) => name !== undefined),
      );
    const lacking = (wanted: Set<string>, given: Set<string>) =>
      [...wanted].filter((name) => !given.has(name));
    expect(lacking(imports(built.appTemplate), exports(withKeys.stateTemplate))).toEqual([]);
    // The other way round, the app stack with keys imports the data key, which a state stack
    // without it cannot export: README, Switching (the app stack must go first).
    expect(lacking(imports(withKeys.appTemplate), exports(built.stateTemplate))).toEqual([
      expect.stringMatching(/DataKey.*Arn/),
    ]);
  });

  it('refuses a data key given against the config, or none given for customer managed keys', () => {
    const mismatch = (config: ConnectorConfig, dataKeyFrom: 'aws' | 'customer') => {
      const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const other = new ConnectorStateStack(app, 'Other', {
        config: everything(dataKeyFrom === 'aws' ? 'aws-managed' : 'customer-managed'),
      });
      return () =>
        new ConnectorAppStack(app, 'App', {
          config,
          dataKey: other.key,
          table: other.table,
          queue: other.queue,
          deadLetterQueue: other.deadLetterQueue,
          credentials: other.credentials,
          rulesBucket: other.rules.bucket,
          sharedSecret: other.sharedSecret,
        });
    };
    expect(mismatch(everything('aws-managed'), 'customer')).toThrow(StackWiringError);
    expect(mismatch(everything('customer-managed'), 'aws')).toThrow(
      'encryption.keys and the dataKey prop must agree',
    );
  });
});
