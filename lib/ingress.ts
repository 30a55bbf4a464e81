import type { Duration } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FunctionUrlAuthType, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ConnectorConfig } from '../lambdas/core/config';
import { apiThrottleOf } from '../lambdas/core/ingress-config';
import { acknowledgeApiRoute, acknowledgeFunctionUrl } from './app-acknowledgements';
import type { ConnectorFunction } from './connector-function';
import { acknowledgeLogGroupWithoutKey } from './key-acknowledgements';

/**
 * The HTTPS endpoint SNS delivers to (config `ingress`, lambdas/core/ingress-config.ts): an HTTP
 * API in front of the receiver (default), or the receiver's own function URL. Either way the
 * receiver authenticates every message itself (SNS signature, certificate host, topic allowlist,
 * optionally HTTP Basic); the HTTP API adds a request-rate throttle and access logs. A request
 * beyond the stage throttle, or beyond the receiver's reserved concurrency behind a function URL,
 * is answered 429, which SNS does not retry (a 4xx is final): the delivery is lost, so both bounds
 * sit well above the expected peak (lambdas/core/ingress-config.ts; alarm ReceiverThrottled).
 */

/** The endpoint's request and answer counts, for the Api5xx alarm and the dashboard. */
export interface EndpointMetrics {
  readonly requests: cloudwatch.IMetric;
  readonly clientErrors: cloudwatch.IMetric;
  readonly serverErrors: cloudwatch.IMetric;
}

export interface SnsIngress {
  /** The URL to give AlayaCare for the SNS subscriptions (https, ends with `sns` or `/`). */
  readonly endpointUrl: string;
  /** The dashboard's name for it. */
  readonly title: string;
  /** Its counts summed over `period`. */
  metrics(period: Duration): EndpointMetrics;
}

/** The HTTP API ingress: the API, its throttled `$default` stage and its access log group. */
export interface HttpApiIngress extends SnsIngress {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
}

export interface FunctionUrlIngress extends SnsIngress {
  readonly functionUrl: FunctionUrl;
}

export interface IngressProps {
  readonly config: Pick<ConnectorConfig, 'ingress' | 'apiThrottle'>;
  readonly receiver: ConnectorFunction;
  readonly logRetention: logs.RetentionDays;
  /** Encrypts the access log group: the data key, or none (CloudWatch Logs' own encryption). */
  readonly logKey: IKey | undefined;
}

/** The one route: SNS delivers by POST to `/sns`. */
const SNS_PATH = '/sns';

/**
 * The stage's access log line (JSON): who called, what was answered, and whether the receiver
 * failed. No headers, query or body: marketplace events must not reach logs.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    ip: AccessLogField.contextIdentitySourceIp(),
    requestTime: AccessLogField.contextRequestTime(),
    httpMethod: AccessLogField.contextHttpMethod(),
    routeKey: AccessLogField.contextRouteKey(),
    status: AccessLogField.contextStatus(),
    protocol: AccessLogField.contextProtocol(),
    responseLength: AccessLogField.contextResponseLength(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
  }),
);

/** Builds the configured ingress in `scope` (the app stack: the construct ids predate this module). */
export function addIngress(
  scope: Construct & { readonly stackName: string },
  props: IngressProps,
): HttpApiIngress | FunctionUrlIngress {
  return props.config.ingress === 'function-url'
    ? addFunctionUrl(props.receiver)
    : addHttpApi(scope, props);
}

function addHttpApi(
  scope: Construct & { readonly stackName: string },
  { config, receiver, logRetention, logKey }: IngressProps,
): HttpApiIngress {
  const throttle = apiThrottleOf(config);
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    retention: logRetention,
    encryptionKey: logKey,
  });
  if (logKey === undefined) acknowledgeLogGroupWithoutKey(accessLogs);
  // An HTTP API (1.00 USD per million requests, REST 3.50): it cannot check headers, trace or
  // write execution logs, so the receiver refuses a request without the SNS header itself
  // (first, before anything costs a call), and with `tracing` on the receiver starts the trace.
  const api = new apigwv2.HttpApi(scope, 'Api', {
    apiName: `${scope.stackName}-sns`,
    description: 'AlayaCare connector: HTTPS endpoint for the marketplace SNS topics',
    // Its own stage below carries the throttle and the access logs.
    createDefaultStage: false,
  });
  const stage = api.addStage('DefaultStage', {
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: ACCESS_LOG_FORMAT,
    },
  });
  const postSns = new apigwv2.HttpRoute(api, 'POST--sns', {
    httpApi: api,
    routeKey: apigwv2.HttpRouteKey.with(SNS_PATH, apigwv2.HttpMethod.POST),
    // Payload format 1.0: the same event shape (and answer) as a REST proxy integration.
    integration: new HttpLambdaIntegration('Receiver', receiver.fn, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_1_0,
    }),
  });
  acknowledgeApiRoute(postSns);
  return {
    api,
    stage,
    // The `$default` stage is served at the root of the execute-api URL (it ends with "/").
    endpointUrl: `${stage.url}${SNS_PATH.slice(1)}`,
    title: 'SNS endpoint (API Gateway)',
    metrics: (period) => {
      const sum = { period, statistic: cloudwatch.Stats.SUM };
      return {
        requests: stage.metricCount(sum),
        clientErrors: stage.metricClientError(sum),
        serverErrors: stage.metricServerError(sum),
      };
    },
  };
}

function addFunctionUrl(receiver: ConnectorFunction): FunctionUrlIngress {
  // Auth NONE: SNS cannot sign its requests (no IAM, no token); the receiver verifies each
  // message's SNS signature and topic instead. No CORS: no browser ever calls it.
  const functionUrl = receiver.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
  acknowledgeFunctionUrl(receiver);
  // AWS/Lambda metrics of the function's URLs (dimension FunctionName; only this one exists).
  const urlMetric = (metricName: string, period: Duration) =>
    receiver.fn.metric(metricName, { period, statistic: cloudwatch.Stats.SUM });
  return {
    functionUrl,
    // An https URL ending with "/": any path reaches the receiver; SNS is given the root.
    endpointUrl: functionUrl.url,
    title: 'SNS endpoint (function URL)',
    metrics: (period) => ({
      requests: urlMetric('UrlRequestCount', period),
      clientErrors: urlMetric('Url4xxCount', period),
      serverErrors: urlMetric('Url5xxCount', period),
    }),
  };
}
