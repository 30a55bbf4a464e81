/**
 * Shared by the stacks-*.test.ts infra tests: a config whose values are unlike every default, the
 * state and app templates synthesised from it once per test file (useDistinctiveStacks), and the
 * shapes of CloudFormation references to a logical id.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { ConnectorConfig } from '../../lambdas/core/config';
import { build, exampleConfig } from '../infra/infra-support';

/** Values unlike every default, so a test cannot pass on a default by accident. */
export function distinctiveConfig(): ConnectorConfig {
  return {
    ...exampleConfig(),
    apiThrottle: { rateLimit: 7, burstLimit: 13 },
    workerMaxConcurrency: 9,
    logRetentionDays: 90,
    marketplace: { baseUrl: 'https://marketplace.example.test' },
    reconciler: { enabled: true, intervalMinutes: 30 },
    // Both off by default (cost-options.test.ts covers the defaults).
    tracing: true,
    monitoring: { ...exampleConfig().monitoring, dashboard: true },
  };
}

/**
 * The templates of distinctiveConfig(): live bindings set by the beforeAll that
 * useDistinctiveStacks() registers, so read them inside tests and hooks only.
 */
export let state: Template;
export let app: Template;

/** Registers a beforeAll in the calling test file that synthesises distinctiveConfig() once. */
export function useDistinctiveStacks(): void {
  beforeAll(() => {
    const built = build(distinctiveConfig());
    state = built.stateTemplate;
    app = built.appTemplate;
  });
}

/** `{ Ref }` and `{ Fn::GetAtt: [id, 'Arn'] }` of a logical id, as templates write them. */
export const refTo = (logicalId: string) => ({ Ref: logicalId });
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
