/**
 * Both stacks' resources as CloudFormation gets them: built in process from a config the way
 * `cdk synth` builds them (the cdk.json feature flags, bundling skipped: the handlers' code does
 * not change what is billed).
 */
import type { ConnectorConfig } from '../../lambdas/core/config';
import { build } from '../../test/infra/infra-support';
import type { NamedTemplate } from './model';

export function synthesizedTemplates(config: ConnectorConfig): NamedTemplate[] {
  const built = build(config);
  const resourcesOf = (json: unknown) =>
    (json as { Resources?: NamedTemplate['resources'] }).Resources ?? {};
  return [
    { stack: built.state.stackName, resources: resourcesOf(built.stateTemplate.toJSON()) },
    { stack: built.app.stackName, resources: resourcesOf(built.appTemplate.toJSON()) },
  ];
}
