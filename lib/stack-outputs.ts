/**
 * The stacks' names and the CloudFormation outputs the operator CLI (`npx connector`) reads, named
 * once here for the stacks (lib/state-stack.ts, lib/app-stack.ts) and the CLI (cli/connector).
 * No aws-cdk-lib import: the CLI loads this without the CDK.
 */

/** Stack ids (and so stack names). Changing one makes CloudFormation see a new stack. */
export const STACK_IDS = {
  state: 'AlayaCareConnectorState',
  app: 'AlayaCareConnectorApp',
} as const;

/** Output keys (the CfnOutput ids, at the top level of their stack). */
export const STACK_OUTPUTS = {
  state: {
    queueName: 'EventsQueueName',
    queueUrl: 'EventsQueueUrl',
    queueArn: 'EventsQueueArn',
    deadLetterQueueName: 'DeadLetterQueueName',
    deadLetterQueueUrl: 'DeadLetterQueueUrl',
    deadLetterQueueArn: 'DeadLetterQueueArn',
    tableName: 'OfferTableName',
    credentialsSecretArn: 'CredentialsSecretArn',
    rulesBucketName: 'RulesBucketName',
    rulesObjectKey: 'RulesObjectKey',
    deployedRulesVersion: 'DeployedRulesVersion',
    sharedSecretArn: 'SharedSecretArn',
  },
  app: {
    endpointUrl: 'SnsEndpointUrl',
    dashboardName: 'DashboardName',
    alarmTopicArn: 'AlarmTopicArn',
    reviewTopicArn: 'ReviewTopicArn',
    role: 'ConnectorRole',
    marketplaceBaseUrl: 'MarketplaceBaseUrl',
  },
} as const;
