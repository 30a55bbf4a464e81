/**
 * Covers the `demand` config block (lambdas/core/config.ts): `assignment` defaults to `none` so
 * existing configs change nothing, accepts `first-accepted`, rejects other values and unknown keys
 * by field name; and its path to the worker (lib/app-stack.ts): DEMAND_ASSIGNMENT is set only for
 * a demand role with a policy. What the worker does with it is covered by the unit and
 * integration tests of the demand side.
 */
import { ConfigError, parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { build, envOf, exampleConfig, functionFor } from './infra-support';

/** The example config as plain input (what a config file holds), without its demand block. */
function input(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { demand: _ignored, ...rest } = exampleConfig();
  return { ...rest, ...extra };
}

const workerEnv = (config: ConnectorConfig) =>
  envOf(functionFor(build(config).appTemplate, 'worker').properties);

describe('demand config', () => {
  it('defaults assignment to none', () => {
    expect(parseConnectorConfig(input()).demand).toEqual({ assignment: 'none' });
    expect(parseConnectorConfig(input({ demand: {} })).demand).toEqual({ assignment: 'none' });
  });

  it('accepts first-accepted', () => {
    expect(
      parseConnectorConfig(input({ role: 'demand', demand: { assignment: 'first-accepted' } }))
        .demand.assignment,
    ).toBe('first-accepted');
  });

  it.each([
    ['an unknown policy', { assignment: 'cheapest' }],
    ['an unknown key', { assignment: 'none', extra: true }],
  ])('rejects %s, naming the field', (_label, demand) => {
    expect(() => parseConnectorConfig(input({ demand }))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input({ demand }))).toThrow(/demand/);
  });

  it('passes DEMAND_ASSIGNMENT to the worker only for a demand role with a policy', () => {
    const base = exampleConfig();
    expect(
      workerEnv({ ...base, role: 'demand', demand: { assignment: 'first-accepted' } })[
        'DEMAND_ASSIGNMENT'
      ],
    ).toBe('first-accepted');
    expect(
      workerEnv({ ...base, role: 'both', demand: { assignment: 'first-accepted' } })[
        'DEMAND_ASSIGNMENT'
      ],
    ).toBe('first-accepted');
    expect(
      workerEnv({ ...base, role: 'demand', demand: { assignment: 'none' } }),
    ).not.toHaveProperty('DEMAND_ASSIGNMENT');
    expect(
      workerEnv({ ...base, role: 'supply', demand: { assignment: 'first-accepted' } }),
    ).not.toHaveProperty('DEMAND_ASSIGNMENT');
  });
});
