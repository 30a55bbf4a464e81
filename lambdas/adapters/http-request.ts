/**
 * One HTTP(S) exchange on node:http and node:https, for the functions' own outbound calls (the
 * marketplace API, the receiver's certificate download and subscription confirmation) in place of
 * the global fetch. It answers what those callers read of a fetch `Response` (status, `ok`, a
 * header, the body as text), so a fetch still fits where tests pass one.
 *
 * Why not fetch: Node's fetch (undici) loads on its first call, about 33 ms of a full core before a
 * cold function's first request is sent, and costs about 0.3 ms more CPU a request than node:http
 * (bench notes in the README's Performance section).
 *
 * - Connections are kept alive and reused (one agent per protocol for the process), as fetch does.
 * - Redirects are never followed: a 3xx is an answer like any other, for the caller to refuse.
 * - The whole body is read before the promise resolves, up to `maxBodyBytes` (declared or
 *   counted): over it, the exchange is cut and rejected with HttpBodyTooLargeError.
 * - `signal` covers the whole exchange, body included; on abort the request is destroyed and the
 *   promise rejects with the signal's reason (AbortSignal.timeout's is a `TimeoutError`).
 * - Network errors reject with Node's own error (its `code`, e.g. ECONNREFUSED, ECONNRESET).
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

export class HttpBodyTooLargeError extends Error {
  override readonly name = 'HttpBodyTooLargeError';
}

// Created on first use: a function that never sends a request never makes one.
let agents: { http: http.Agent; https: https.Agent } | undefined;

function agentFor(protocol: string): http.Agent {
  // The most recently used connection first, as Node's own global agent: the likeliest still open.
  agents ??= {
    http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
  };
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

/** Sends one request and reads its whole response (see the module's notes). */
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
    const headers: Record<string, string> = { ...init.headers };
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const send = target.protocol === 'https:' ? https.request : http.request;
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      request.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      if (signal) fail(abortReason(signal));
    };
    const request = send(
      target,
      { method: init.method, headers, agent: agentFor(target.protocol) },
      (response) => {
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
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          const received = response.headers;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            headers: {
              get: (name) => {
                const value = received[name.toLowerCase()];
                return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
              },
            },
            text: () => Promise.resolve(text),
          });
        });
      },
    );
    request.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}
