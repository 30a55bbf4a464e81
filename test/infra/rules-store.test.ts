/**
 * Covers the rules store as synthesised (lib/rules-store.ts, the state stack, the worker's
 * binding): a versioned, KMS-encrypted (data key), TLS-only, private, retained bucket whose old
 * versions expire after 90 days except the newest 10; the worker's read of that one object only
 * (and decrypt with the key) with the bucket and key in its environment and no rules in any
 * environment or template; the deployment's publication of the config's rules (a staged file
 * asset copied into place by a CopyObject with least privilege, updated exactly when the rules
 * change); the outputs the publish command needs; and the alarms on the worker's rules metrics.
 * cdk-nag findings are in nag.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { RULES_OBJECT_KEY } from '../../lambdas/core/rules-document';
import { rulesVersionOf } from '../../lambdas/core/rules-source';
import { WORKER_METRICS } from '../../lambdas/worker/worker';
import { METRICS_NAMESPACE } from '../../lib/constants';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
  type Built,
} from './infra-support';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let built: Built;
let bucketId: string;
let keyId: string;
beforeAll(() => {
  built = build(exampleConfig());
  bucketId = onlyResource(built.stateTemplate, 'AWS::S3::Bucket').id;
  keyId = onlyResource(built.stateTemplate, 'AWS::KMS::Key').id;
});

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** The statements of every IAM policy attached to a role whose logical id contains `fragment`. */
function statementsOfRole(template: Built['stateTemplate'], fragment: string): Statement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.['Roles']).includes(fragment))
    .flatMap((p) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

/** An Fn::Join as text, with each reference shown as <Ref:id>, <GetAtt:id> or <Sub:...>, so it can be parsed as JSON. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) {
    const [kind, arg] = Object.entries(value as Record<string, unknown>)[0];
    return `<${kind.replace('Fn::', '')}:${Array.isArray(arg) ? arg[0] : String(arg)}>`;
  }
  return join[1].map(joined).join(join[0]);
}

describe('the rules bucket', () => {
  it('is versioned, encrypted with the data key (bucket key on), private, owner-enforced and retained', () => {
    const bucket = onlyResource(built.stateTemplate, 'AWS::S3::Bucket');
    expect(bucket.properties).toEqual(
      expect.objectContaining({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: arnOf(keyId),
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    expect(bucket.resource).toEqual(
      expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
    );
  });

  it('expires non-current versions after 90 days, keeping the newest 10 whatever their age', () => {
    const bucket = onlyResource(built.stateTemplate, 'AWS::S3::Bucket');
    expect(bucket.properties['LifecycleConfiguration']).toEqual({
      Rules: [
        expect.objectContaining({
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 90, NewerNoncurrentVersions: 10 },
        }),
      ],
    });
  });

  it('refuses requests without TLS', () => {
    const policy = onlyResource(built.stateTemplate, 'AWS::S3::BucketPolicy');
    expect(policy.properties['Bucket']).toEqual({ Ref: bucketId });
    expect(
      (policy.properties['PolicyDocument'] as { Statement: unknown[] }).Statement,
    ).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

describe('the worker', () => {
  it('gets the bucket and the object key, not the rules', () => {
    const env = envOf(functionFor(built.appTemplate, 'worker').properties);
    expect(JSON.stringify(env['RULES_BUCKET'])).toContain('RulesBucket');
    expect(env['RULES_OBJECT_KEY']).toBe(RULES_OBJECT_KEY);
    expect(env).not.toHaveProperty('RULES_JSON');
  });

  it('may read that one object (no listing, no other key, no write) and decrypt with the data key', () => {
    const statements = statementsOfRole(built.appTemplate, 'Worker');
    const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: expect.anything() }]);
    const resource = JSON.stringify(s3[0]?.Resource);
    expect(resource).toContain('RulesBucket');
    expect(resource).toContain(`"/${RULES_OBJECT_KEY}"`);
    const decrypt = statements.filter((s) => [s.Action].flat().includes('kms:Decrypt'));
    expect(JSON.stringify(decrypt.map((s) => s.Resource))).toContain('DataKey');
  });

  it('is the only function that reads the rules', () => {
    for (const service of ['receiver', 'reconciler']) {
      const env = envOf(functionFor(built.appTemplate, service).properties);
      expect(env).not.toHaveProperty('RULES_BUCKET');
      expect(
        JSON.stringify(
          statementsOfRole(built.appTemplate, service === 'receiver' ? 'Receiver' : 'Reconciler'),
        ),
      ).not.toContain('s3:');
    }
  });

  it('no template carries the rules themselves (they are in the staged asset only)', () => {
    const comment = exampleConfig().rules.rules[0]?.comment ?? '';
    expect(comment.length).toBeGreaterThan(10);
    for (const template of [built.stateTemplate, built.appTemplate])
      expect(JSON.stringify(template.toJSON())).not.toContain(comment);
  });
});

describe('the publication of the config rules at deployment', () => {
  const publication = () => onlyResource(built.stateTemplate, 'Custom::AWS');

  it('stages exactly the parsed config rules as a file asset', () => {
    const asset = built.state.rules.configRules;
    const staged = fs.readFileSync(path.join(built.cdkApp.outdir, asset.assetPath), 'utf8');
    expect(JSON.parse(staged)).toEqual(exampleConfig().rules);
    expect(asset.s3ObjectKey).toMatch(/^[0-9a-f]{64}\.json$/);
  });

  it('copies the asset into the rules object as application/json, on create and on update alike', () => {
    const { properties } = publication();
    const asset = built.state.rules.configRules;
    for (const phase of ['Create', 'Update']) {
      const call = JSON.parse(joined(properties[phase])) as Record<string, unknown>;
      expect(call).toEqual(
        expect.objectContaining({
          service: 'S3',
          action: 'CopyObject',
          parameters: {
            Bucket: `<Ref:${bucketId}>`,
            Key: RULES_OBJECT_KEY,
            CopySource: expect.stringMatching(
              new RegExp(`^<Sub:cdk-[a-z0-9]+-assets-.*>/${asset.s3ObjectKey}$`),
            ),
            ContentType: 'application/json',
            MetadataDirective: 'REPLACE',
          },
          physicalResourceId: { id: RULES_OBJECT_KEY },
        }),
      );
    }
    expect(properties['Delete']).toBeUndefined();
  });

  it('runs under a role that may read the asset, write the one object and encrypt with the data key, nothing else', () => {
    const statements = statementsOfRole(built.stateTemplate, 'RulesPublishRole');
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(
      [
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:PutObject',
      ].sort(),
    );
    const byAction = (action: string) =>
      JSON.stringify(statements.find((s) => [s.Action].flat().includes(action))?.Resource);
    expect(byAction('s3:PutObject')).toContain(`"/${RULES_OBJECT_KEY}"`);
    expect(byAction('s3:GetObject')).toContain(built.state.rules.configRules.s3ObjectKey);
    expect(byAction('kms:GenerateDataKey')).toBe(JSON.stringify(arnOf(keyId)));
    const role = onlyResource(built.stateTemplate, 'AWS::IAM::Role', (p) =>
      JSON.stringify(p).includes('copies the config rules'),
    );
    expect(role.properties['ManagedPolicyArns']).toBeUndefined();
  });

  it('is updated (and so copies) exactly when the rules change', () => {
    const createOf = (config: ConnectorConfig) =>
      joined(onlyResource(build(config).stateTemplate, 'Custom::AWS').properties['Create']);
    const base = exampleConfig();
    expect(createOf({ ...base, alarmEmail: 'ops@example.org' })).toBe(
      joined(publication().properties['Create']),
    );
    expect(createOf({ ...base, rules: { ...base.rules, defaultAction: 'decline' } })).not.toBe(
      joined(publication().properties['Create']),
    );
  });
});

describe('outputs and alarms', () => {
  it('name the bucket, the object key and the version of the config rules', () => {
    const outputs = built.stateTemplate.toJSON()['Outputs'] as Record<
      string,
      { Value: unknown } | undefined
    >;
    expect(outputs['RulesBucketName']?.Value).toEqual({ Ref: bucketId });
    expect(outputs['RulesObjectKey']?.Value).toBe(RULES_OBJECT_KEY);
    expect(outputs['DeployedRulesVersion']?.Value).toBe(rulesVersionOf(exampleConfig().rules));
  });

  it('alarm on any invalid rules document or failed read the worker reports', () => {
    for (const metric of [WORKER_METRICS.rulesInvalid, WORKER_METRICS.rulesReadFailed]) {
      const alarm = onlyResource(
        built.appTemplate,
        'AWS::CloudWatch::Alarm',
        (p) => p['MetricName'] === metric,
      );
      expect(alarm.properties).toEqual(
        expect.objectContaining({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: 'service', Value: 'worker' }],
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    }
  });
});
