import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, ServerlessChecks } from 'cdk-nag';
import type { Subscription } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin (not an Aspect) and reads acknowledgements
 * from CDK's own `Validations.of(scope).acknowledge()`; v2's NagSuppressions no longer exists.
 * Findings of a rule that reports several (IAM4, IAM5) are acknowledged one at a time as
 * `Rule[finding]`, which is how `appliesTo` is spelled now.
 */

/** The rule packs every synth runs; the prefix of each pack's rule ids is the key. */
export const NAG_PACKS = {
  'AwsSolutions-': AwsSolutionsChecks,
  'HIPAA.Security-': HIPAASecurityChecks,
  'Serverless-': ServerlessChecks,
} as const;

/**
 * Registers the AWS Solutions, HIPAA Security and Serverless rule packs on an app: `cdk synth`
 * then fails on any unacknowledged finding of any of them.
 */
export function applyNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(...Object.values(NAG_PACKS).map((Pack) => new Pack(scope)));
}

/** The two packs' rules that want a dead-letter queue on a function (acknowledged where none is due). */
export const LAMBDA_DLQ_RULES = ['HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'] as const;

/** Acknowledges one cdk-nag finding on a construct and everything below it, with the reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges the same finding of several packs (e.g. AwsSolutions-SMG4 and
 * HIPAA.Security-SecretsManagerRotationEnabled, both "no automatic rotation") on one construct,
 * for one reason: still one acknowledgement per rule id, scoped to that construct.
 */
export function acknowledgeEach(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) acknowledge(scope, id, reason);
}

/** An e-mail subscription to one of the stack's topics (alarms, review notifications). */
export function acknowledgeEmailSubscription(subscription: Subscription): void {
  acknowledge(
    subscription,
    'Serverless-SNSRedrivePolicy',
    'An e-mail subscription: SNS retries a failed e-mail delivery itself, and a message it finally cannot deliver (address gone) is a problem with the address that the owner sees in the SNS console; a dead-letter queue would hold it where nobody reads. The alarms also stay visible in CloudWatch.',
  );
}
