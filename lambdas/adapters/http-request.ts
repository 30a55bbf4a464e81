/**
 * One HTTP(S) exchange on node:http and node:https, for the functions' own outbound calls (the
 * marketplace API, the receiver's certificate download and subscription confirmation) in place of
 * the global fetch. It answers what those callers read of a fetch `Response` (status, `ok`, a
 * header, the body as text), so a fetch still fits where tests pass one.
 *
 * Why not fetch: Node's fetch (undici) loads on its first call, about 30 ms of a full core before a
 * cold function's first request is sent, and costs about a quarter of a millisecond more CPU a
 * request than node:http (`npm run bench -- http-client`; the README's Performance section).
 *
 * - Connections are kept alive and reused (one agent per protocol for the process), as fetch does.
 * - Redirects are never followed: a 3xx is an answer like any other, for the caller to refuse.
 * - The promise resolves at the status and headers, as fetch's does; the body is read from then
 *   on, up to `maxBodyBytes` (declared or counted): over it, or cut off, `text()` rejects
 *   (HttpBodyTooLargeError, or the connection's error). So a status, once received, stays one:
 *   the marketplace client never takes an answered action for one that got no answer.
 * - `signal` covers the whole exchange, body included; on abort the request is destroyed and the
 *   promise, or `text()` once the headers are in, rejects with the signal's reason
 *   (AbortSignal.timeout's is a `TimeoutError`). Callers pass one: without it nothing times out.
 * - Network errors before the headers reject with Node's own error (its `code`, e.g.
 *   ECONNREFUSED, ECONNRESET).
 * - A `User-Agent` goes with every request; no `Accept-Encoding`, so bodies come uncompressed.
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** The part of a fetch `Response` the callers read. */
export interface HttpResponse {
  readonly status: number;
  /** 2xx. */
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface HttpRequestInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** What the callers send requests with: `httpRequest` by default, or any fetch. */
export type HttpSend = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;

/** Far above any marketplace page (its lists are paged). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Sent with every request unless the caller names its own: some gateways refuse requests without one. */
export const USER_AGENT = 'alayacare-marketplace-connector';

export class HttpBodyTooLargeError extends Error {
  override readonly name = 'HttpBodyTooLargeError';
}

/** How long a kept-alive connection may sit idle before it is closed (Node's global agent's 5 s). */
const IDLE_SOCKET_MS = 5_000;

// Created on first use: a function that never sends a request never makes one.
let agents: { http: http.Agent; https: https.Agent } | undefined;

function agentFor(protocol: string): http.Agent {
  // As Node's own global agent: the most recently used connection first (the likeliest still
  // open), and one idle for IDLE_SOCKET_MS closed, so one the server has dropped meanwhile is
  // seldom used again. Not never: a Lambda frozen past the server's idle timeout can send its
  // first request before the timer runs; it fails as a network error, which the marketplace
  // client retries (a read at once; an action only after reading whether it took effect).
  const options = { keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS } as const;
  agents ??= { http: new http.Agent(options), https: new https.Agent(options) };
  return protocol === 'https:' ? agents.https : agents.http;
}

/** The signal's reason when it is an error (by shape: a DOMException may come from another realm). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (
    typeof reason === 'object' &&
    reason !== null &&
    typeof (reason as Error).name === 'string' &&
    typeof (reason as Error).message === 'string'
  )
    return reason as Error;
  const error = new Error('the request was aborted');
  error.name = 'AbortError';
  return error;
}

/** Response headers read by name in any case; repeated values joined as fetch joins them. */
function headerReader(received: http.IncomingHttpHeaders): HttpResponse['headers'] {
  return {
    get: (name) => {
      const value = received[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * Sends one request; resolves once the response's status and headers are in (see the module's
 * notes). The body is read from then on, and `text()` gives it or rejects with why it could not
 * be read whole: as with fetch, a status once received is never turned into "no response".
 */
export function httpRequest(
  url: string,
  init: HttpRequestInit,
  maxBodyBytes: number = DEFAULT_MAX_BODY_BYTES,
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      reject(new TypeError(`unsupported protocol ${target.protocol}`));
      return;
    }
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...init.headers };
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    if (body !== undefined) headers['Content-Length'] = String(body.byteLength);
    const send = target.protocol === 'https:' ? https.request : http.request;
    // Before the headers, a failure rejects the request; after them, the body (`text()`).
    let failBody: ((error: Error) => void) | undefined;
    let settled = false;
    const fail = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      if (failBody !== undefined) failBody(error);
      else if (!settled) {
        settled = true;
        reject(error);
      }
    };
    const onAbort = (): void => {
      if (signal) fail(abortReason(signal));
    };
    const request = send(
      target,
      { method: init.method, headers, agent: agentFor(target.protocol) },
      (response) => {
        settled = true;
        const text = new Promise<string>((resolveBody, rejectBody) => {
          let done = false;
          failBody = (error) => {
            if (done) return;
            done = true;
            rejectBody(error);
          };
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBodyBytes) {
            fail(
              new HttpBodyTooLargeError(
                `response body declares ${declared} bytes, over the ${maxBodyBytes} byte limit`,
              ),
            );
            return;
          }
          const chunks: Buffer[] = [];
          let total = 0;
          response.on('data', (chunk: Buffer) => {
            total += chunk.byteLength;
            if (total > maxBodyBytes)
              fail(new HttpBodyTooLargeError(`response body over the ${maxBodyBytes} byte limit`));
            else chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('close', () => {
            // After 'end' this does nothing; before it, the connection went mid-body.
            if (!response.complete) fail(new Error('the response was cut off before its end'));
          });
          response.on('end', () => {
            if (done) return;
            done = true;
            signal?.removeEventListener('abort', onAbort);
            // As fetch's text(): UTF-8, a leading byte order mark dropped.
            resolveBody(
              Buffer.concat(chunks)
                .toString('utf8')
                .replace(/^\uFEFF/, ''),
            );
          });
        });
        // Read or not, a body that fails must not surface as an unhandled rejection.
        text.catch(() => undefined);
        const status = response.statusCode ?? 0;
        resolve({
          status,
          ok: status >= 200 && status < 300,
          headers: headerReader(response.headers),
          text: () => text,
        });
      },
    );
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}
