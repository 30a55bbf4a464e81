import type { Environment } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ConnectorConfig } from '../lambdas/core/config';
import { ConnectorAppStack } from './app-stack';
import { STACK_IDS } from './constants';
import { customerManagedKeys } from './keys';
import { ConnectorStateStack } from './state-stack';

export interface ConnectorStacks {
  readonly state: ConnectorStateStack;
  readonly app: ConnectorAppStack;
}

export interface ConnectorStacksOptions {
  /** Omit (or leave account/region undefined) for environment-agnostic templates. */
  readonly env?: Environment;
}

/** Builds both stacks from a validated config; bin/app.ts and the infra tests share it. */
export function createConnectorStacks(
  scope: Construct,
  config: ConnectorConfig,
  options: ConnectorStacksOptions = {},
): ConnectorStacks {
  const description = 'AlayaCare Marketplace Connector';
  const state = new ConnectorStateStack(scope, STACK_IDS.state, {
    config,
    env: options.env,
    // No key of its own with config encryption.keys "aws-managed" (lib/keys.ts).
    description: `${description}: ${customerManagedKeys(config.encryption) ? 'key, ' : ''}offer table, credentials secret, rules bucket, events queue and dead-letter queue`,
    terminationProtection: true,
  });
  const app = new ConnectorAppStack(scope, STACK_IDS.app, {
    config,
    env: options.env,
    description: `${description}: SNS endpoint, receiver, worker, alarms and dashboard`,
    dataKey: state.key,
    table: state.table,
    queue: state.queue,
    deadLetterQueue: state.deadLetterQueue,
    credentials: state.credentials,
    rulesBucket: state.rules.bucket,
    sharedSecret: state.sharedSecret,
  });
  return { state, app };
}
