import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect) and reads acknowledgements
 * from CDK's own `Validations.of(scope).acknowledge()`; v2's NagSuppressions no longer exists.
 * Findings of a rule that reports several (IAM4, IAM5) are acknowledged one at a time as
 * `Rule[finding]`, which is how `appliesTo` is spelled now.
 */

/** Registers the AWS Solutions rule pack on an app: `cdk synth` then fails on any finding. */
export function applyNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope));
}

/** Acknowledges one cdk-nag finding on a construct and everything below it, with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
