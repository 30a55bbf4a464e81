/**
 * Covers the `notifications` config block (lambdas/core/config.ts: on by default, the link
 * templates must be https with `{offerId}` after the host, nothing set while disabled) and what the
 * app stack builds from it (lib/review-notifications.ts, ConnectorFunction.bindNotificationTopic):
 * a topic of its own, encrypted with a key of its own and TLS-only, an e-mail subscription only
 * when `email` is set, the worker's NOTIFICATION_TOPIC_ARN and link templates, sns:Publish on that
 * topic alone for the worker alone, and the ReviewTopicArn output; none of it when disabled.
 * cdk-nag runs over the default (notifications on) in nag.test.ts.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  onlyResource,
  resourcesOf,
  statementsOf,
  type Statement,
} from './infra-support';

const OFFER_URL = 'https://acme.example.org/marketplace/offers/{offerId}';
const OUTBOX_URL = 'https://acme.example.org/marketplace/outbox/{offerId}?tab=matches';

/** The example config as plain input (what a config file holds), without a notifications block. */
function input(notifications?: unknown): Record<string, unknown> {
  const { notifications: _ignored, ...rest } = exampleConfig();
  return notifications === undefined ? rest : { ...rest, notifications };
}

const withNotifications = (notifications: ConnectorConfig['notifications']): ConnectorConfig => ({
  ...exampleConfig(),
  notifications,
});

const reviewTopicOf = (template: Template) =>
  onlyResource(
    template,
    'AWS::SNS::Topic',
    (p) => p['DisplayName'] === 'AlayaCare connector offers',
  );

const publishes = (statements: Statement[]) =>
  statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('sns:')));

describe('notifications config', () => {
  it('is on by default, with no e-mail and no links', () => {
    expect(parseConnectorConfig(input()).notifications).toEqual({ enabled: true });
    expect(parseConnectorConfig(input({})).notifications).toEqual({ enabled: true });
  });

  it('accepts an e-mail and https link templates with {offerId} in the path or query', () => {
    const notifications = {
      email: 'staffing@example.org',
      offerUrl: OFFER_URL,
      outboxOfferUrl: OUTBOX_URL,
    };
    expect(parseConnectorConfig(input(notifications)).notifications).toEqual({
      enabled: true,
      ...notifications,
    });
  });

  it.each(["o'brien@example.org", 'ops+alerts@care.example.co.uk'])(
    'accepts the e-mail address %s',
    (email) => {
      expect(parseConnectorConfig(input({ email })).notifications).toEqual({
        enabled: true,
        email,
      });
      expect(parseConnectorConfig({ ...input(), alarmEmail: email }).alarmEmail).toBe(email);
    },
  );

  it.each(['staffing', 'staffing@localhost', 'two words@example.org', 'a@b@example.org'])(
    'rejects the e-mail address %s, saying what it must be',
    (email) => {
      expect(() => parseConnectorConfig(input({ email }))).toThrow(
        'notifications.email: must be an e-mail address such as ops@example.org',
      );
      expect(() => parseConnectorConfig({ ...input(), alarmEmail: email })).toThrow(
        'alarmEmail: must be an e-mail address such as ops@example.org',
      );
    },
  );

  it.each([
    ['http', { offerUrl: 'http://acme.example.org/offers/{offerId}' }],
    ['no {offerId}', { offerUrl: 'https://acme.example.org/offers/' }],
    ['{offerId} in the host', { offerUrl: 'https://{offerId}.example.org/' }],
    ['no host', { offerUrl: 'https:///{offerId}' }],
    ['user info before the host', { outboxOfferUrl: 'https://me@acme.example.org/{offerId}' }],
    ['over 150 characters', { offerUrl: `https://acme.example.org/${'a'.repeat(140)}/{offerId}` }],
    ['not an e-mail address', { email: 'staffing' }],
    ['an unknown key', { sms: '+15555550100' }],
    ['an e-mail while disabled', { enabled: false, email: 'staffing@example.org' }],
    ['a link while disabled', { enabled: false, offerUrl: OFFER_URL }],
  ])('rejects %s, naming the field', (_label, notifications) => {
    expect(() => parseConnectorConfig(input(notifications))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input(notifications))).toThrow(/notifications/);
  });

  it('may be turned off', () => {
    expect(parseConnectorConfig(input({ enabled: false })).notifications).toEqual({
      enabled: false,
    });
  });
});

describe('review notification topic (default: on, no e-mail)', () => {
  let app: Template;
  beforeAll(() => {
    app = build(exampleConfig()).appTemplate;
  });

  it('is encrypted with the rotating notification key it shares with the alarm topic (not the data key) and refuses publishes without TLS', () => {
    const topic = reviewTopicOf(app);
    const alarmTopic = onlyResource(
      app,
      'AWS::SNS::Topic',
      (p) => p['DisplayName'] === 'AlayaCare connector alarms',
    );
    const keyId = (topic.properties['KmsMasterKeyId'] as { 'Fn::GetAtt': [string, string] })[
      'Fn::GetAtt'
    ][0];
    expect(resourcesOf(app, 'AWS::KMS::Key')).toHaveProperty(
      [keyId, 'Properties', 'EnableKeyRotation'],
      true,
    );
    // One key for both topics (a key-month each otherwise); the app stack has no other key.
    expect(alarmTopic.properties['KmsMasterKeyId']).toEqual(topic.properties['KmsMasterKeyId']);
    expect(Object.keys(resourcesOf(app, 'AWS::KMS::Key'))).toEqual([keyId]);
    app.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic.id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('has no subscription without an e-mail', () => {
    app.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('is given to the worker: its ARN in NOTIFICATION_TOPIC_ARN, no link template unless configured', () => {
    const env = envOf(functionFor(app, 'worker').properties);
    expect(env['NOTIFICATION_TOPIC_ARN']).toEqual({ Ref: reviewTopicOf(app).id });
    expect(env).not.toHaveProperty('OFFER_URL_TEMPLATE');
    expect(env).not.toHaveProperty('OUTBOX_OFFER_URL_TEMPLATE');
  });

  it('lets the worker alone publish, to that topic only, and use its key to encrypt', () => {
    const topic = reviewTopicOf(app);
    const keyArn = {
      'Fn::GetAtt': [
        (topic.properties['KmsMasterKeyId'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
        'Arn',
      ],
    };
    const worker = statementsOf(app, 'worker');
    expect(publishes(worker)).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: topic.id },
      }),
    ]);
    expect(worker).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
        Resource: keyArn,
      }),
    );
    for (const service of ['receiver', 'reconciler'])
      expect(publishes(statementsOf(app, service))).toEqual([]);
  });

  it('is named by the ReviewTopicArn output', () => {
    expect(app.findOutputs('ReviewTopicArn')['ReviewTopicArn']).toEqual(
      expect.objectContaining({ Value: { Ref: reviewTopicOf(app).id } }),
    );
  });
});

describe('review notification topic, configured', () => {
  it('subscribes the e-mail address to the review topic only', () => {
    const app = build(
      withNotifications({ enabled: true, email: 'staffing@example.org' }),
    ).appTemplate;
    const [subscription, ...others] = Object.values(resourcesOf(app, 'AWS::SNS::Subscription')).map(
      (s) => s.Properties ?? {},
    );
    expect(others).toEqual([]);
    expect(subscription).toEqual({
      Protocol: 'email',
      Endpoint: 'staffing@example.org',
      TopicArn: { Ref: reviewTopicOf(app).id },
    });
  });

  it('passes the link templates to the worker', () => {
    const app = build(
      withNotifications({ enabled: true, offerUrl: OFFER_URL, outboxOfferUrl: OUTBOX_URL }),
    ).appTemplate;
    const env = envOf(functionFor(app, 'worker').properties);
    expect(env['OFFER_URL_TEMPLATE']).toBe(OFFER_URL);
    expect(env['OUTBOX_OFFER_URL_TEMPLATE']).toBe(OUTBOX_URL);
  });

  it('is absent when disabled: no topic, variable, grant or output (the key stays: the alarm topic uses it)', () => {
    const app = build(withNotifications({ enabled: false })).appTemplate;
    expect(() => reviewTopicOf(app)).toThrow(/found 0/);
    expect(Object.keys(resourcesOf(app, 'AWS::KMS::Key'))).toHaveLength(1);
    expect(envOf(functionFor(app, 'worker').properties)).not.toHaveProperty(
      'NOTIFICATION_TOPIC_ARN',
    );
    expect(publishes(statementsOf(app, 'worker'))).toEqual([]);
    expect(app.findOutputs('ReviewTopicArn')).toEqual({});
  });
});
