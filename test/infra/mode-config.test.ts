/**
 * Covers the `mode` config field (lambdas/core/config.ts): `live` by default so existing configs
 * change nothing, `dry-run` accepted, anything else rejected by field name; and its path to the
 * worker (lib/app-stack.ts): CONNECTOR_MODE is set only for a dry run. What a dry run does is
 * covered by test/unit/caps-dry-run.test.ts.
 */
import { ConfigError, parseConnectorConfig } from '../../lambdas/core/config';
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { build, envOf, exampleConfig, functionFor } from './infra-support';

const input = (extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const { mode: _ignored, ...rest } = exampleConfig();
  return { ...rest, ...extra };
};

describe('mode config', () => {
  it('defaults to live and accepts dry-run', () => {
    expect(parseConnectorConfig(input()).mode).toBe('live');
    expect(parseConnectorConfig(input({ mode: 'dry-run' })).mode).toBe('dry-run');
  });

  it('rejects any other mode, naming the field', () => {
    expect(() => parseConnectorConfig(input({ mode: 'dryrun' }))).toThrow(ConfigError);
    expect(() => parseConnectorConfig(input({ mode: 'dryrun' }))).toThrow(/mode/);
  });

  it('tells the worker only about a dry run', () => {
    const workerEnv = (mode: 'live' | 'dry-run') => envOf(functionFor(build({ ...exampleConfig(), mode }).appTemplate, 'worker').properties);
    expect(workerEnv('dry-run')[ENV_NAMES.connectorMode]).toBe('dry-run');
    expect(workerEnv('live')).not.toHaveProperty(ENV_NAMES.connectorMode);
  });
});
