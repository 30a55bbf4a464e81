import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type { ConnectorFunction } from './connector-function';
import type { IngressMode } from '../lambdas/core/ingress-config';
import { acknowledge, acknowledgeEach, LAMBDA_DLQ_RULES } from './nag';

/**
 * The app stack's acknowledged cdk-nag findings that are the same for each of its functions, and
 * that of the API route: each one on its own construct, with the reason it does not apply or is
 * the customer's choice. The findings particular to one resource are acknowledged beside it.
 */

/** Findings every connector function shares, whatever calls it. */
export function acknowledgeFunction(
  fn: ConnectorFunction,
  { tracing }: { tracing: boolean },
): void {
  acknowledge(
    fn,
    'HIPAA.Security-LambdaInsideVPC',
    'The function calls only public endpoints over TLS (AWS service APIs and the AlayaCare marketplace API) and no private resource: a VPC would add NAT gateway cost (about 32 USD a month per zone) and no protection; the data paths are IAM-authorised and KMS-encrypted.',
  );
  acknowledge(
    fn.role,
    'HIPAA.Security-IAMNoInlinePolicy',
    "The inline policy belongs to this one function's own role and grants exactly its resources (table, queue, secret, key ARNs); a customer managed policy would be the same statements in a separately attachable object that another role could be given.",
  );
  if (tracing) {
    acknowledge(
      fn.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Added by active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions (the infra tests check no other statement uses Resource *).',
    );
  } else {
    acknowledge(
      fn,
      'Serverless-LambdaTracing',
      'X-Ray tracing is the config option `tracing` (off by default for its cost per event: README, Cost); logs with correlation ids, metrics and alarms cover operations without it.',
    );
  }
}

/**
 * The worker's and the reconciler's key grants as CDK writes them (the worker's on the table, the
 * reconciler's for its on-failure destination queue) name action wildcards. The receiver's name
 * none (ConnectorFunction.bindQueueSender), and under AWS's keys no grant names a key: nothing to
 * acknowledge there.
 */
export function acknowledgeKeyActionWildcards(fn: ConnectorFunction): void {
  for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
    acknowledge(
      fn.role,
      `AwsSolutions-IAM5[Action::${action}]`,
      "Added by CDK's grants on the offer table or an encrypted queue for their KMS key: the wildcard covers only the variants of this action, on that one key ARN.",
    );
  }
}

/**
 * The receiver: invoked synchronously only, by API Gateway (ingress `http-api`) or through its
 * function URL (`function-url`, where its reserved concurrency bounds it: no finding to answer).
 */
export function acknowledgeReceiver(receiver: ConnectorFunction, ingress: IngressMode): void {
  acknowledgeEach(
    receiver,
    LAMBDA_DLQ_RULES,
    'Invoked synchronously only (by API Gateway, or through its function URL): a dead-letter queue applies to asynchronous invocations. A failure is answered 5xx, which SNS retries, and is alarmed (ReceiverErrors, Api5xx); a throttled invocation is answered 429, which SNS drops, and is alarmed (ReceiverThrottled).',
  );
  if (ingress === 'http-api') {
    acknowledge(
      receiver,
      'HIPAA.Security-LambdaConcurrency',
      'The API stage throttle in front of it (config apiThrottle, set well above the expected peak: a throttled delivery is answered 429, which SNS does not retry) bounds its invocations; reserving concurrency for it would take that many executions from the rest of the account for good, and it calls nothing but SNS (certificates, confirmations) and SQS.',
    );
  }
}

/** Config `reserveConcurrency: false`, for accounts whose concurrency limit is too small to reserve any. */
export function acknowledgeUnreservedConcurrency(fn: ConnectorFunction): void {
  acknowledge(
    fn,
    'HIPAA.Security-LambdaConcurrency',
    "Turned off in config (reserveConcurrency: false) because the account cannot keep 100 executions unreserved with it; the events queue's maximum concurrency still caps the worker, and the reconciler runs on a schedule far longer than its timeout.",
  );
}

/** The worker: the events queue's consumer (event source mapping). */
export function acknowledgeWorker(worker: ConnectorFunction): void {
  acknowledgeEach(
    worker,
    LAMBDA_DLQ_RULES,
    'Invoked by the SQS event source mapping only (synchronously): a function dead-letter queue would never receive anything. Records that fail 5 times go to the events queue dead-letter queue (redrive policy), alarmed on.',
  );
  acknowledge(
    worker.fn.node.findChild(eventSourceId(worker)),
    'Serverless-LambdaEventSourceMappingDestination',
    "An SQS event source mapping has no on-failure destination (that is for streams and Kafka); the events queue's redrive policy is its failure path: records failing 5 times move to the dead-letter queue, which is alarmed on (DeadLetterQueueNotEmpty).",
  );
}

/** The id CDK gives the worker's one SQS event source mapping. */
function eventSourceId(worker: ConnectorFunction): string {
  const ids = worker.fn.node.children
    .map((child) => child.node.id)
    .filter((id) => id.startsWith('SqsEventSource:'));
  if (ids.length !== 1) throw new Error(`expected one SQS event source, found ${ids.length}`);
  const [id] = ids as [string];
  return id;
}

/**
 * The HTTP API's one route (POST /sns): SNS's HTTPS endpoint. Its stage has no findings: access
 * logs are on, and the packs' cache, client-certificate, X-Ray, execution-log and WAF rules are for
 * REST API stages (an HTTP API has none of these; README, Security).
 */
export function acknowledgeApiRoute(route: apigwv2.HttpRoute): void {
  acknowledge(
    route,
    'AwsSolutions-APIG4',
    'SNS HTTPS deliveries cannot carry an authorizer token, IAM signature or JWT; the receiver authenticates every message by verifying its SNS signature, signing-certificate host and topic ARN instead (and, when configured, HTTP Basic credentials against the shared secret).',
  );
}

/**
 * Config `ingress: "function-url"`: the receiver's URL answers anyone (auth NONE), as the HTTP
 * API's route does: SNS cannot sign its requests.
 */
export function acknowledgeFunctionUrl(receiver: ConnectorFunction): void {
  // The two statements CDK adds for a public URL: lambda:InvokeFunctionUrl (auth type NONE) and
  // lambda:InvokeFunction (only via a function URL).
  for (const id of ['invoke-function-url', 'invoke-function']) {
    acknowledge(
      receiver.fn.node.findChild(id),
      'HIPAA.Security-LambdaFunctionPublicAccessProhibited',
      'Config ingress function-url: SNS HTTPS deliveries cannot carry an IAM signature or token, so the URL is public (auth NONE, invocation only through the URL); the receiver authenticates every message by its SNS signature, signing-certificate host and topic ARN (and, when configured, HTTP Basic credentials against the shared secret), and its reserved concurrency (receiverReservedConcurrency, well above the expected peak: beyond it the URL answers 429, which SNS does not retry) bounds what callers can run.',
    );
  }
}
