#!/usr/bin/env node
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambdas/core/config';
import { createConnectorStacks } from '../lib/connector';
import { chooseConfigFile, loadConnectorConfig } from '../lib/load-config';
import { applyNagChecks } from '../lib/nag';

/**
 * The CDK app: picks and validates the config (`-c config=<path>`, else connector.config.json,
 * else the example), builds the two stacks and runs the cdk-nag AWS Solutions checks, so a bad
 * config or an unacknowledged finding fails `cdk synth`.
 */
const app = new App();

try {
  const choice = chooseConfigFile(app.node.tryGetContext('config'), path.resolve(__dirname, '..'));
  if (choice.isExample) {
    process.stderr.write(
      `WARNING: no connector.config.json and no -c config=<path>; using the example config ${choice.file}.\n` +
        '         Its topic ARNs and account are placeholders: copy it to connector.config.json and edit it before deploying.\n',
    );
  }
  const config = loadConnectorConfig(choice.file);
  createConnectorStacks(app, config, {
    // Unset without credentials: the templates are then environment-agnostic, which synth allows.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error: unknown) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

applyNagChecks(app);
