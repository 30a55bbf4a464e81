/**
 * Covers the cdk-nag AWS Solutions, HIPAA Security and Serverless packs against both stacks, for
 * a created and an imported credentials secret, with the receiver's shared secret on, for role
 * both (reconciler included), with tracing, dashboard, e-mails, the backup plan and a provisioned
 * table on, with a function URL instead of the HTTP API (config ingress), and under AWS's keys
 * instead of the connector's own (config encryption.keys: aws-managed): no unacknowledged
 * errors or warnings, every acknowledgement gives a real reason and is scoped to one rule (or one
 * finding) on one construct below a stack, and the one wildcard-resource
 * acknowledgement is only ever about X-Ray. The findings AWS's keys raise are acknowledged only in
 * that mode, each on the one resource that lost its key. Also checks that each pack, registered by
 * applyNagChecks, fails a synth with a violation of its own, so "none found" means something.
 * The stacks are checked with each pack's `validateScope`; bin/app.ts registers the same packs
 * through applyNagChecks, exercised in synth.test.ts.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { ConnectorConfig } from '../../lambdas/core/config';
import * as keyAcks from '../../lib/key-acknowledgements';
import { applyNagChecks, NAG_PACKS } from '../../lib/nag';
import {
  build,
  exampleConfig,
  functionUrlConfig,
  resourcesOf,
  statementsOf,
  type Built,
} from './infra-support';

/** Config encryption.keys aws-managed with every resource it touches. */
const awsKeysEverywhere: ConnectorConfig = {
  ...exampleConfig(),
  role: 'both',
  backup: { enabled: true, retentionDays: 35 },
  receiver: { requireSignatureVersion2: false, sharedSecret: { enabled: true } },
  alarmEmail: 'ops@example.org',
  notifications: { enabled: true, email: 'staffing@example.org' },
  encryption: { keys: 'aws-managed' },
};

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
    'role both, reconciler hourly, no reserved concurrency',
    () => ({
      ...exampleConfig(),
      role: 'both',
      reconciler: { enabled: true, intervalMinutes: 60 },
      reserveConcurrency: false,
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
  [
    'backup plan, alarm and review e-mails, dry run',
    () => ({
      ...exampleConfig(),
      mode: 'dry-run',
      backup: { enabled: true, retentionDays: 90 },
      alarmEmail: 'ops@example.org',
      notifications: { enabled: true, email: 'staffing@example.org' },
    }),
  ],
  [
    'role demand, notifications off',
    () => ({ ...exampleConfig(), role: 'demand', notifications: { enabled: false } }),
  ],
  [
    'a function URL instead of the HTTP API, shared secret, role both, tracing and dashboard',
    () =>
      functionUrlConfig({
        role: 'both',
        receiver: { sharedSecret: { enabled: true } },
        tracing: true,
        monitoring: { dashboard: true },
      }),
  ],
  [
    'provisioned table with auto scaling',
    () => ({
      ...exampleConfig(),
      table: {
        billing: 'provisioned',
        writeCapacity: { min: 2, max: 100 },
        readCapacity: { min: 1, max: 20 },
        targetUtilization: 60,
      },
    }),
  ],
  [
    'AWS keys (encryption.keys aws-managed): role both, backup, shared secret, alarm and review e-mails',
    () => awsKeysEverywhere,
  ],
  [
    'AWS keys with a function URL, an imported secret, tracing and dashboard, notifications off',
    () =>
      functionUrlConfig({
        encryption: { keys: 'aws-managed' },
        credentialsSecretArn:
          'arn:aws:secretsmanager:ca-central-1:111122223333:secret:alayacare-login-AbC123',
        tracing: true,
        monitoring: { dashboard: true },
        notifications: { enabled: false },
      }),
  ],
];

function findings(scope: IConstruct) {
  return Object.values(NAG_PACKS).flatMap((Pack) =>
    new Pack().validateScope(scope).violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      at: v.violatingResources.map((r) => r.constructPath),
    })),
  );
}

interface Acknowledgement {
  path: string;
  id: string;
  reason: unknown;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) =>
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

describe.each(variants)(
  'cdk-nag AwsSolutions, HIPAA Security and Serverless with %s',
  (_label, config) => {
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

    it('every acknowledgement names one rule of a registered pack (or one finding of it) and gives a reason of 20+ characters', () => {
      const acks = acknowledgements(built.cdkApp);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        const id = ack.id.replace(/^annotation::/i, '');
        expect({ path: ack.path, id }).toEqual({
          path: ack.path,
          id: expect.stringMatching(
            /^(AwsSolutions-[A-Z]+\d+(\[.+\])?|HIPAA\.Security-[A-Za-z0-9]+|Serverless-[A-Za-z0-9]+)$/,
          ),
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
      // And nothing twice on the same construct (a second reason would hide the first).
      const keys = acks.map((a) => `${a.path} ${a.id}`);
      expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    });

    it('each function role acknowledges an action wildcard (IAM5[Action::...]) only if its policy holds it', () => {
      const functions = { Receiver: 'receiver', Worker: 'worker', Reconciler: 'reconciler' };
      const acks = acknowledgements(built.cdkApp).map((a) => ({
        ...a,
        action: /^AwsSolutions-IAM5\[Action::(.+)\]$/.exec(a.id.replace(/^annotation::/i, ''))?.[1],
      }));
      for (const [construct, service] of Object.entries(functions)) {
        const onRole = acks.filter(
          (a) => a.action !== undefined && a.path.startsWith(`AlayaCareConnectorApp/${construct}/`),
        );
        if (onRole.length === 0) continue;
        const held = statementsOf(built.appTemplate, service).flatMap((st) => [st.Action].flat());
        for (const ack of onRole)
          expect({ service, held: held.includes(ack.action as string) }).toEqual({
            service,
            held: true,
          });
      }
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
  },
);

describe('the findings of AWS keys (config encryption.keys aws-managed)', () => {
  /** The rules that want a customer managed key where aws-managed leaves a service's own. */
  const KEY_RULES = [
    'HIPAA.Security-CloudWatchLogGroupEncrypted',
    'HIPAA.Security-SecretsManagerUsingKMSKey',
    'HIPAA.Security-S3DefaultEncryptionKMS',
    'HIPAA.Security-SNSEncryptedKMS',
  ];
  /** Each resource that lost its key under awsKeysEverywhere, with the rule it raises. */
  const AWS_KEY_FINDINGS = [
    'HIPAA.Security-CloudWatchLogGroupEncrypted AlayaCareConnectorApp/ApiAccessLogs',
    'HIPAA.Security-CloudWatchLogGroupEncrypted AlayaCareConnectorApp/Receiver/LogGroup',
    'HIPAA.Security-CloudWatchLogGroupEncrypted AlayaCareConnectorApp/Reconciler/LogGroup',
    'HIPAA.Security-CloudWatchLogGroupEncrypted AlayaCareConnectorApp/Worker/LogGroup',
    'HIPAA.Security-CloudWatchLogGroupEncrypted AlayaCareConnectorState/Rules/PublishLogs',
    'HIPAA.Security-S3DefaultEncryptionKMS AlayaCareConnectorState/Rules/Bucket',
    'HIPAA.Security-SNSEncryptedKMS AlayaCareConnectorApp/Monitoring/AlarmTopic',
  ].sort();
  const keyAcknowledgements = (config: ConnectorConfig) =>
    acknowledgements(build(config).cdkApp)
      .map((a) => ({ ...a, id: a.id.replace(/^annotation::/i, '') }))
      .filter((a) => KEY_RULES.includes(a.id));

  it("are not acknowledged anywhere with the connector's own keys (the default)", () => {
    expect(
      keyAcknowledgements({ ...awsKeysEverywhere, encryption: { keys: 'customer-managed' } }),
    ).toEqual([]);
  });

  it('are acknowledged one resource at a time, on each log group, bucket and topic that lost its key, with the trade-off', () => {
    const acks = keyAcknowledgements(awsKeysEverywhere);
    expect(acks.map((a) => `${a.id} ${a.path}`).sort()).toEqual(AWS_KEY_FINDINGS);
    for (const ack of acks) expect(ack.reason).toMatch(/^Config encryption\.keys is "aws-managed"/);
  });

  it('are each needed: without them the packs find exactly these rules on exactly these resources', () => {
    const spies = [
      jest.spyOn(keyAcks, 'acknowledgeLogGroupWithoutKey'),
      jest.spyOn(keyAcks, 'acknowledgeBucketWithoutKey'),
      jest.spyOn(keyAcks, 'acknowledgeUnencryptedAlarmTopic'),
    ].map((spy) => spy.mockImplementation(() => undefined));
    try {
      const built = build(awsKeysEverywhere);
      const found = [...findings(built.state), ...findings(built.app)].flatMap((f) =>
        f.at.map((at) => `${f.rule} ${String(at).replace(/\/Resource$/, '')}`),
      );
      expect(found.sort()).toEqual(AWS_KEY_FINDINGS);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

/** Synthesises an app with applyNagChecks and one probe stack; returns whether it failed and the report. */
function synthWithNag(probe: (stack: Stack) => void): { failed: boolean; report: string } {
  const app = new App();
  probe(new Stack(app, 'Probe'));
  applyNagChecks(app);
  const printed: string[] = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  const consoleError = jest.spyOn(console, 'error').mockImplementation(capture);
  let failed = false;
  try {
    app.synth();
  } catch (error: unknown) {
    // In memory (as here) the exception carries the report; from the CLI it is printed.
    failed = true;
    printed.push(error instanceof Error ? error.message : String(error));
  } finally {
    stderr.mockRestore();
    consoleError.mockRestore();
  }
  return { failed, report: printed.join('') };
}

describe('the packs themselves, as applyNagChecks registers them', () => {
  it('registers exactly the AWS Solutions, HIPAA Security and Serverless packs', () => {
    expect(Object.keys(NAG_PACKS).sort()).toEqual([
      'AwsSolutions-',
      'HIPAA.Security-',
      'Serverless-',
    ]);
  });

  it.each<[string, string, (stack: Stack) => void]>([
    ['AwsSolutions', 'AwsSolutions-SQS4', (stack) => new sqs.Queue(stack, 'PlainQueue')],
    [
      'HIPAA Security',
      'HIPAA.Security-CloudWatchLogGroupEncrypted',
      (stack) => new logs.LogGroup(stack, 'PlainLogs'),
    ],
    [
      'Serverless',
      'Serverless-SNSRedrivePolicy',
      (stack) =>
        new sns.Subscription(stack, 'PlainSubscription', {
          topic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
          protocol: sns.SubscriptionProtocol.EMAIL,
          endpoint: 'ops@example.org',
        }),
    ],
  ])('the %s pack fails the synth of a stack with a %s violation', (_pack, rule, probe) => {
    const { failed, report } = synthWithNag(probe);
    expect(failed).toBe(true);
    expect(report).toContain(rule);
  });

  it('an acknowledged finding no longer fails the synth', () => {
    const { failed, report } = synthWithNag((stack) => {
      const logGroup = new logs.LogGroup(stack, 'PlainLogs');
      Validations.of(logGroup).acknowledge({
        id: 'HIPAA.Security-CloudWatchLogGroupEncrypted',
        reason: 'probe: acknowledged on purpose',
      });
    });
    expect(report).not.toContain('HIPAA.Security-CloudWatchLogGroupEncrypted');
    expect(failed).toBe(false);
  });
});
