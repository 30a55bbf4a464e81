/**
 * Covers the `mode` config field (lambdas/core/config.ts): `live` by default so existing configs
 * change nothing, `dry-run` accepted, anything else rejected by field name; and its path to the
 * worker (lib/app-stack.ts): CONNECTOR_MODE is set only for a dry run; `redecideDryRun` reaches the
 * worker and the reconciler only for a live connector. What a dry run does is
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
    const workerEnv = (mode: 'live' | 'dry-run') =>
      envOf(functionFor(build({ ...exampleConfig(), mode }).appTemplate, 'worker').properties);
    expect(workerEnv('dry-run')[ENV_NAMES.connectorMode]).toBe('dry-run');
    expect(workerEnv('live')).not.toHaveProperty(ENV_NAMES.connectorMode);
  });

  it('tells the worker and the reconciler to redecide dry-run decisions only when live and asked to', () => {
    const envs = (mode: 'live' | 'dry-run', redecideDryRun: boolean) => {
      const template = build({ ...exampleConfig(), mode, redecideDryRun }).appTemplate;
      return [
        envOf(functionFor(template, 'worker').properties),
        envOf(functionFor(template, 'reconciler').properties),
      ];
    };
    for (const env of envs('live', true)) expect(env[ENV_NAMES.redecideDryRun]).toBe('true');
    for (const env of [...envs('live', false), ...envs('dry-run', true)])
      expect(env).not.toHaveProperty(ENV_NAMES.redecideDryRun);
    expect(parseConnectorConfig(input()).redecideDryRun).toBe(false);
  });
});
