/**
 * Covers the cdk-nag AWS Solutions pack against both stacks, for a created and an imported
 * credentials secret, with the receiver's shared secret on, and for role both (reconciler included): no unacknowledged errors or warnings, every acknowledgement gives a real reason and is
 * scoped to one rule (or one finding), and the one wildcard-resource acknowledgement is only ever
 * about X-Ray. Also checks the pack does report a violation, so "none found" means something.
 * cdk-nag 3 reports through CDK's policy validation instead of annotations, so the pack is run
 * directly with `validateScope`; bin/app.ts registers the same pack, exercised in synth.test.ts.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { build, exampleConfig, resourcesOf, type Built } from './infra-support';

const variants: [string, () => ConnectorConfig][] = [
  ['created secret, no alarm email', exampleConfig],
  [
    'imported secret, alarm email',
    () => ({
      ...exampleConfig(),
      credentialsSecretArn:
        'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123',
      alarmEmail: 'ops@example.org',
    }),
  ],
  [
    'shared secret on, SignatureVersion 2 required',
    () => ({
      ...exampleConfig(),
      receiver: { requireSignatureVersion2: true, sharedSecret: { enabled: true } },
    }),
  ],
  [
    'role both, reconciler hourly',
    () => ({
      ...exampleConfig(),
      role: 'both',
      reconciler: { enabled: true, intervalMinutes: 60 },
    }),
  ],
  [
    'X-Ray tracing and the dashboard on',
    () => ({
      ...exampleConfig(),
      tracing: true,
      monitoring: { ...exampleConfig().monitoring, dashboard: true },
    }),
  ],
];

function findings(scope: IConstruct) {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity,
    at: v.violatingResources.map((r) => r.constructPath),
  }));
}

interface Acknowledgement {
  path: string;
  id: string;
  reason: unknown;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
            path: c.node.path,
            id,
            reason,
          })),
        ),
    );
}

describe.each(variants)('cdk-nag AwsSolutions with %s', (_label, config) => {
  let built: Built;
  beforeAll(() => {
    built = build(config());
  });

  it('finds nothing unacknowledged in the state stack', () => {
    expect(findings(built.state)).toEqual([]);
  });

  it('finds nothing unacknowledged in the app stack', () => {
    expect(findings(built.app)).toEqual([]);
  });

  it('every acknowledgement names one AwsSolutions rule (or one finding of it) and gives a reason of 20+ characters', () => {
    const acks = acknowledgements(built.cdkApp);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const id = ack.id.replace(/^annotation::/i, '');
      expect({ path: ack.path, id }).toEqual({
        path: ack.path,
        id: expect.stringMatching(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/),
      });
      // IAM4/IAM5 list findings; acknowledging the bare rule would hide every future one.
      expect({ path: ack.path, id }).not.toEqual({
        path: ack.path,
        id: expect.stringMatching(/^AwsSolutions-IAM[45]$/),
      });
      expect(typeof ack.reason).toBe('string');
      expect((ack.reason as string).trim().length).toBeGreaterThanOrEqual(20);
    }
    // Nothing is acknowledged for a whole stack or the app.
    expect(acks.filter((a) => !a.path.includes('/'))).toEqual([]);
  });

  it('the only IAM statements on Resource "*" are X-Ray tracing, as the IAM5[Resource::*] acknowledgement says (none without tracing)', () => {
    const statements = Object.values(resourcesOf(built.appTemplate, 'AWS::IAM::Policy')).flatMap(
      (p) =>
        (
          p.Properties?.['PolicyDocument'] as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    );
    const wildcard = statements.filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(wildcard.length > 0).toBe(config().tracing);
    const xrayAcks = acknowledgements(built.cdkApp).filter(
      (a) => a.id.replace(/^annotation::/i, '') === 'AwsSolutions-IAM5[Resource::*]',
    );
    expect(xrayAcks.length > 0).toBe(config().tracing);
    for (const statement of wildcard) {
      for (const action of [statement.Action].flat()) expect(action).toMatch(/^xray:/);
    }
  });
});

describe('the pack itself', () => {
  it('reports an unprotected queue, so an empty result above is meaningful', () => {
    const stack = new Stack(new App(), 'Probe');
    new sqs.Queue(stack, 'PlainQueue');
    expect(findings(stack).map((f) => f.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});
