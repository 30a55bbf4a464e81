import * as v from 'valibot';

/**
 * How SNS reaches the receiver (config `ingress`), and what bounds the receiver in each mode. Used
 * at synth time only (config.ts builds it into the schema; lib/ingress.ts builds the endpoint).
 *
 * - `http-api` (default): an API Gateway HTTP API, `POST /sns` on its `$default` stage, throttled
 *   by `apiThrottle` (requests/s and burst), with JSON access logs.
 * - `function-url`: a Lambda function URL on the receiver (auth NONE: SNS cannot sign requests;
 *   the receiver verifies every message's SNS signature and topic). No request-rate throttle and
 *   no access log; the receiver's reserved concurrency (`receiverReservedConcurrency`) bounds it.
 *   About 1.1 USD per million deliveries cheaper (the HTTP API's requests and access logs).
 *
 * Either bound answers a delivery beyond it 429, and SNS retries only a status outside 200-499:
 * a 429 is final, the delivery is dropped (the reconciler recovers inbox offers; any other event
 * is lost; the ReceiverThrottled alarm and the endpoint's 4xx count show it). So each bound is a
 * guard against a flood and must sit well above the expected peak, never near it.
 */
export const INGRESS_MODES = ['http-api', 'function-url'] as const;
export type IngressMode = (typeof INGRESS_MODES)[number];

/**
 * The HTTP API stage throttle (config `apiThrottle`): bounds the `http-api` ingress only. A request
 * beyond it is answered 429 and lost (SNS does not retry a 4xx): set it well above the peak.
 */
export const apiThrottleSchema = v.strictObject({
  rateLimit: v.pipe(v.number(), v.gtValue(0), v.maxValue(10000)),
  burstLimit: v.pipe(v.number(), v.integer(), v.gtValue(0), v.maxValue(5000)),
});
export type ApiThrottle = v.InferOutput<typeof apiThrottleSchema>;
export const DEFAULT_API_THROTTLE: ApiThrottle = { rateLimit: 50, burstLimit: 100 };

/**
 * Receiver executions reserved (and so at most running) with `function-url`. Beyond them the URL
 * answers 429, which SNS treats as final: the delivery is dropped (the reconciler recovers inbox
 * offers; other events are lost), so this must sit well above the peak of concurrent deliveries.
 * A warm receiver answers in tens of milliseconds, but a cold one takes about 0.5 s (256 MB), so a
 * burst of a few dozen concurrent deliveries after a quiet spell needs as many executions at
 * once: 10 would shed it. 50 covers such a burst and still bounds a flood (the account then needs
 * `workerMaxConcurrency` + 1 + 50 + 100 executions with `reserveConcurrency`).
 */
export const DEFAULT_RECEIVER_RESERVED_CONCURRENCY = 50;
export const receiverReservedConcurrencySchema = v.pipe(
  v.number(),
  v.integer('must be a whole number of executions'),
  v.minValue(1),
  v.maxValue(1000),
);

/** The ingress fields of the config, as they may arrive (a cross-field check runs on bad input too). */
interface IngressFields {
  ingress?: unknown;
  apiThrottle?: unknown;
  receiverReservedConcurrency?: unknown;
  reserveConcurrency?: unknown;
}

export interface IngressIssue {
  /** The config field the issue is on. */
  field: keyof IngressFields;
  message: string;
}

/**
 * What contradicts the chosen ingress: each bound belongs to one mode, and one set for the other
 * would be ignored, leaving the endpoint less bounded than the config reads.
 */
export function ingressIssues(config: IngressFields): IngressIssue[] {
  const issues: IngressIssue[] = [];
  if (config.ingress === 'function-url') {
    if (config.apiThrottle !== undefined)
      issues.push({
        field: 'apiThrottle',
        message:
          'apiThrottle bounds the HTTP API stage only and ingress is function-url (no request-rate throttle): remove it and bound the receiver with receiverReservedConcurrency',
      });
    if (config.reserveConcurrency === false)
      issues.push({
        field: 'ingress',
        message:
          "ingress function-url is bounded only by the receiver's reserved concurrency, which reserveConcurrency: false turns off: use ingress http-api in an account too small to reserve",
      });
  } else if (config.receiverReservedConcurrency !== undefined) {
    issues.push({
      field: 'receiverReservedConcurrency',
      message:
        'receiverReservedConcurrency is for ingress function-url only: with http-api, apiThrottle bounds the receiver',
    });
  }
  return issues;
}

/** The stage throttle the `http-api` ingress applies: `apiThrottle` or its default. */
export function apiThrottleOf(config: { apiThrottle?: ApiThrottle | undefined }): ApiThrottle {
  return config.apiThrottle ?? DEFAULT_API_THROTTLE;
}

/** The receiver's reserved concurrency: with `function-url` only (the HTTP API's throttle bounds the other). */
export function receiverReservedConcurrency(config: {
  ingress: IngressMode;
  receiverReservedConcurrency?: number | undefined;
}): number | undefined {
  return config.ingress === 'function-url'
    ? (config.receiverReservedConcurrency ?? DEFAULT_RECEIVER_RESERVED_CONCURRENCY)
    : undefined;
}
