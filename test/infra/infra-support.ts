/**
 * Shared by the infra tests: builds both stacks the way bin/app.ts does, with the feature flags
 * from cdk.json (the CLI applies them; a bare `new App()` would not) and, unless asked otherwise,
 * with bundling skipped so the assertions do not depend on the handlers compiling.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { createConnectorStacks, type ConnectorStacks } from '../../lib/connector';
import { EXAMPLE_CONFIG_FILE, loadConnectorConfig } from '../../lib/load-config';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The `context` block of cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) {
    throw new Error('cdk.json has no context block');
  }
  return cdkJson.context as Record<string, unknown>;
}

export function exampleConfig(): ConnectorConfig {
  return loadConnectorConfig(path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE));
}

/**
 * The example config with `ingress: "function-url"` (and the given fields), parsed as a file would
 * be: without the example's `apiThrottle`, which bounds the HTTP API only.
 */
export function functionUrlConfig(fields: Record<string, unknown> = {}): ConnectorConfig {
  const raw = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE), 'utf8'),
  ) as Record<string, unknown>;
  delete raw['apiThrottle'];
  return parseConnectorConfig({ ...raw, ingress: 'function-url', ...fields });
}

export interface Built extends ConnectorStacks {
  readonly cdkApp: App;
  readonly stateTemplate: Template;
  readonly appTemplate: Template;
}

/** Builds and synthesises both stacks without bundling (the assets are placeholders). */
export function build(config: ConnectorConfig): Built {
  const cdkApp = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stacks = createConnectorStacks(cdkApp, config);
  return {
    ...stacks,
    cdkApp,
    stateTemplate: Template.fromStack(stacks.state),
    appTemplate: Template.fromStack(stacks.app),
  };
}

export type CfnResources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
>;

export function resourcesOf(template: Template, type: string): CfnResources {
  return template.findResources(type) as CfnResources;
}

/** The one resource of a type matching a predicate, with its logical id. */
export function onlyResource(
  template: Template,
  type: string,
  predicate: (properties: Record<string, unknown>) => boolean = () => true,
): { id: string; properties: Record<string, unknown>; resource: CfnResources[string] } {
  const matches = Object.entries(resourcesOf(template, type)).filter(([, r]) =>
    predicate(r.Properties ?? {}),
  );
  if (matches.length !== 1)
    throw new Error(`expected exactly one ${type}, found ${matches.length}`);
  const [id, resource] = matches[0];
  return { id, properties: resource.Properties ?? {}, resource };
}

/** A Lambda function's environment variables as synthesised. */
export function envOf(properties: Record<string, unknown>): Record<string, unknown> {
  const environment = properties['Environment'] as
    { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** The function whose POWERTOOLS_SERVICE_NAME is `service`. */
export function functionFor(template: Template, service: string) {
  return onlyResource(
    template,
    'AWS::Lambda::Function',
    (p) => envOf(p)['POWERTOOLS_SERVICE_NAME'] === service,
  );
}

/** One IAM policy statement as synthesized. */
export type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every IAM statement granted to the function of `service`. */
export function statementsOf(template: Template, service: string): Statement[] {
  const role = (
    functionFor(template, service).properties['Role'] as { 'Fn::GetAtt': [string, string] }
  )['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.['Roles']).includes(`"${role}"`))
    .flatMap((p) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement);
}
