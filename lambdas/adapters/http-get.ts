/**
 * The receiver's outbound GET (signing certificate download, SubscribeURL confirmation) on
 * node:https (http-request.ts). Redirects are refused, not followed: a redirect would take the
 * request off the host the caller checked. The body is read up to a cap so a hostile or broken
 * server cannot make the Lambda buffer an unbounded response.
 */
import type { HttpGet, HttpGetResult } from '../core/ports';
import { httpRequest } from './http-request';

/** Far above a certificate (a few KiB) or a ConfirmSubscription response. */
export const MAX_HTTP_GET_BODY_BYTES = 64 * 1024;

export class HttpRedirectRefusedError extends Error {
  override readonly name = 'HttpRedirectRefusedError';
}

/** Builds an `HttpGet` with a body cap; `httpGet` is the one the receiver uses. */
export function createHttpGet(maxBodyBytes: number = MAX_HTTP_GET_BODY_BYTES): HttpGet {
  return async (url: string, options: { timeoutMs: number }): Promise<HttpGetResult> => {
    // The timeout signal covers the whole exchange, body included.
    const response = await httpRequest(
      url,
      { method: 'GET', signal: AbortSignal.timeout(options.timeoutMs) },
      maxBodyBytes,
    );
    if (response.status >= 300 && response.status < 400)
      throw new HttpRedirectRefusedError(`refused to follow a redirect (HTTP ${response.status})`);
    return { status: response.status, body: await response.text() };
  };
}

/** GET with a timeout, no redirects and a 64 KiB body cap; rejects on network errors. */
export const httpGet: HttpGet = createHttpGet();
