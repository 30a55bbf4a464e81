/**
 * The receiver's outbound GET (signing certificate download, SubscribeURL confirmation) on the
 * global fetch. Redirects are refused, not followed: a redirect would take the request off the
 * host the caller checked. The body is read up to a cap so a hostile or broken server cannot make
 * the Lambda buffer an unbounded response.
 */
import type { HttpGet, HttpGetResult } from '../core/ports';

/** Far above a certificate (a few KiB) or a ConfirmSubscription response. */
export const MAX_HTTP_GET_BODY_BYTES = 64 * 1024;

export class HttpGetBodyTooLargeError extends Error {
  override readonly name = 'HttpGetBodyTooLargeError';
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new HttpGetBodyTooLargeError(
      `response body declares ${declared} bytes, over the ${maxBytes} byte limit`,
    );
  }
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new HttpGetBodyTooLargeError(`response body over the ${maxBytes} byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds an `HttpGet` with a body cap; `fetchHttpGet` is the one the receiver uses. */
export function createFetchHttpGet(maxBodyBytes: number = MAX_HTTP_GET_BODY_BYTES): HttpGet {
  return async (url: string, options: { timeoutMs: number }): Promise<HttpGetResult> => {
    // The timeout signal covers the whole exchange, body included.
    const response = await fetch(url, {
      method: 'GET',
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = await readCapped(response, maxBodyBytes);
    return { status: response.status, body };
  };
}

/** GET with a timeout, no redirects and a 64 KiB body cap; rejects on network errors. */
export const fetchHttpGet: HttpGet = createFetchHttpGet();
