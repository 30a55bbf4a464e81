/**
 * Covers the `referrals` config block (lambdas/core/config.ts) and its path to the worker
 * (lib/app-stack.ts, lib/connector-function.ts): `markProcessed` defaults to false, an
 * `eventBusArn` must be an EventBridge bus ARN; the worker gets REFERRALS_MARK_PROCESSED and
 * REFERRAL_EVENT_BUS_ARN (names from ENV_NAMES) and events:PutEvents on exactly that bus, and only
 * for a role that receives referrals; no other function can put events.
 */
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import {
  build,
  envOf,
  exampleConfig,
  functionFor,
  statementsOf,
  type Statement,
} from './infra-support';

const BUS = 'arn:aws:events:ca-central-1:123456789012:event-bus/care-referrals';

function input(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { referrals: _ignored, ...rest } = exampleConfig();
  return { ...rest, ...extra };
}

const putsEvents = (statements: Statement[]) =>
  statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));

describe('referrals config', () => {
  it('defaults to recording only: not marked processed, not forwarded', () => {
    expect(parseConnectorConfig(input()).referrals).toEqual({ markProcessed: false });
    expect(parseConnectorConfig(input({ referrals: {} })).referrals).toEqual({
      markProcessed: false,
    });
  });

  it('accepts markProcessed and an event bus ARN', () => {
    expect(
      parseConnectorConfig(input({ referrals: { markProcessed: true, eventBusArn: BUS } }))
        .referrals,
    ).toEqual({ markProcessed: true, eventBusArn: BUS });
  });

  it.each([
    ['an SNS topic ARN', { eventBusArn: 'arn:aws:sns:ca-central-1:123456789012:care-referrals' }],
    ['a bus name', { eventBusArn: 'care-referrals' }],
    ['a short account', { eventBusArn: 'arn:aws:events:ca-central-1:1234:event-bus/x' }],
    ['a non-boolean markProcessed', { markProcessed: 'yes' }],
    ['an unknown key', { forward: true }],
  ])('rejects %s, naming the field', (_label, referrals) => {
    expect(() => parseConnectorConfig(input({ referrals }))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input({ referrals }))).toThrow(/referrals/);
  });
});

describe('referrals in the stack', () => {
  const withReferrals = (
    role: ConnectorConfig['role'],
    referrals: ConnectorConfig['referrals'],
  ): ConnectorConfig => ({ ...exampleConfig(), role, referrals });

  it('gives the worker the bus ARN and events:PutEvents on exactly that bus, and nothing to the others', () => {
    const { appTemplate } = build(
      withReferrals('supply', { markProcessed: true, eventBusArn: BUS }),
    );
    const env = envOf(functionFor(appTemplate, 'worker').properties);
    expect(env[ENV_NAMES.referralEventBusArn]).toBe(BUS);
    expect(env[ENV_NAMES.referralsMarkProcessed]).toBe('true');
    expect(putsEvents(statementsOf(appTemplate, 'worker'))).toEqual([
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS },
    ]);
    expect(putsEvents(statementsOf(appTemplate, 'receiver'))).toEqual([]);
  });

  it('sets nothing and grants nothing by default', () => {
    const { appTemplate } = build(exampleConfig());
    const env = envOf(functionFor(appTemplate, 'worker').properties);
    expect(env).not.toHaveProperty(ENV_NAMES.referralEventBusArn);
    expect(env).not.toHaveProperty(ENV_NAMES.referralsMarkProcessed);
    expect(putsEvents(statementsOf(appTemplate, 'worker'))).toEqual([]);
  });

  it('role demand receives no referrals: neither variable nor grant', () => {
    const { appTemplate } = build(
      withReferrals('demand', { markProcessed: true, eventBusArn: BUS }),
    );
    const env = envOf(functionFor(appTemplate, 'worker').properties);
    expect(env).not.toHaveProperty(ENV_NAMES.referralEventBusArn);
    expect(env).not.toHaveProperty(ENV_NAMES.referralsMarkProcessed);
    expect(putsEvents(statementsOf(appTemplate, 'worker'))).toEqual([]);
  });

  it('role both forwards too', () => {
    const { appTemplate } = build(
      withReferrals('both', { markProcessed: false, eventBusArn: BUS }),
    );
    expect(
      envOf(functionFor(appTemplate, 'worker').properties)[ENV_NAMES.referralEventBusArn],
    ).toBe(BUS);
    expect(putsEvents(statementsOf(appTemplate, 'worker'))).toHaveLength(1);
  });
});
