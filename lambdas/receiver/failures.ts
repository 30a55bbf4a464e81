/**
 * How the receiver answers a request it could not take: the one place where an error becomes an
 * HTTP status, a public reason (all the caller learns), a log level and a metric.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { RECEIVER_METRICS } from '../core/metric-names';
import { SnsRejectedError, SnsUpstreamError } from '../adapters/sns-verifier';
import { SNS_METHOD } from './sns-request';

/** Tells SNS (and any HTTP client) to send Basic credentials; without it SNS would not retry with them. */
const BASIC_CHALLENGE = 'Basic realm="sns", charset="UTF-8"';

/**
 * The request has no valid shared-secret credentials (401). `presented` is false for a request
 * without any, which is how SNS starts when its endpoint URL holds credentials.
 */
export class UnauthorizedRequestError extends Error {
  override readonly name = 'UnauthorizedRequestError';
  constructor(readonly presented: boolean) {
    super(presented ? 'wrong or malformed Basic credentials' : 'no Basic credentials');
  }
}

/** A method SNS never delivers with (any method reaches a function URL): refused first of all (405). */
export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  constructor(method: string | undefined) {
    // The method is the caller's text: named only when it is a plain HTTP method token.
    super(
      method !== undefined && /^[A-Z]{1,16}$/.test(method)
        ? `method ${method} is not ${SNS_METHOD}`
        : 'no method or an unusual one',
    );
  }
}

/** A JSON answer `{ message }` with the given status. */
export function respond(
  statusCode: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: JSON.stringify({ message }),
  };
}

/** An error's name only: an unknown error's message may quote the input. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** What a refused or failed request is answered and recorded with. */
export interface Failure {
  status: number;
  publicReason: string;
  detail: string;
  /**
   * Refusals are expected traffic (warn); failures to deliver are errors an operator must see;
   * an authentication challenge is the normal first step of every credentialed delivery (info).
   */
  level: 'info' | 'warn' | 'error';
  metric: string;
  headers?: Record<string, string>;
}

/** The one place where an error becomes a status and a public reason. */
export function toFailure(error: unknown): Failure {
  if (error instanceof UnauthorizedRequestError) {
    return {
      status: 401,
      publicReason: 'unauthorized',
      detail: error.message,
      level: error.presented ? 'warn' : 'info',
      metric: error.presented
        ? RECEIVER_METRICS.messagesRejected
        : RECEIVER_METRICS.authenticationChallenges,
      headers: { 'www-authenticate': BASIC_CHALLENGE },
    };
  }
  if (error instanceof MethodNotAllowedError) {
    return {
      status: 405,
      publicReason: 'method not allowed',
      detail: error.message,
      level: 'warn',
      metric: RECEIVER_METRICS.messagesRejected,
      // RFC 9110: a 405 names the methods the resource allows.
      headers: { allow: SNS_METHOD },
    };
  }
  if (error instanceof SnsRejectedError) {
    return {
      status: error.status,
      publicReason: error.publicReason,
      detail: error.message,
      level: 'warn',
      metric: RECEIVER_METRICS.messagesRejected,
    };
  }
  if (error instanceof SnsUpstreamError) {
    return {
      status: error.status,
      publicReason: error.publicReason,
      detail: error.message,
      level: 'error',
      metric: RECEIVER_METRICS.deliveriesFailed,
    };
  }
  // A bug: a 5xx lets SNS retry once it is fixed. Only the error's name is logged because an
  // unknown error's message may quote input.
  return {
    status: 500,
    publicReason: 'internal error',
    detail: `unexpected ${errorName(error)}`,
    level: 'error',
    metric: RECEIVER_METRICS.deliveriesFailed,
  };
}
