/**
 * One HTTP exchange with the marketplace, below retries and tokens: a request within the call's
 * budget and the per-request timeout, its JSON read and checked against a schema, and the error a
 * non-2xx answer becomes (the API's own text kept, shortened and with secrets masked).
 */
import * as v from 'valibot';
import { describeIssuePaths } from '../../core/parse-json';
import { clean, describeThrown, MarketplaceError, OutOfBudgetError } from './errors';
import type { HttpRequestInit, HttpResponse } from '../http-request';
import type { ClientSettings } from './options';
import type { CallBudget } from './retry';

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

/** One network attempt, if the call's budget has room for it (else OutOfBudgetError: nothing sent). */
export async function fetchWithTimeout(
  settings: Pick<ClientSettings, 'fetch' | 'timeoutMs' | 'policy'>,
  operation: string,
  url: string,
  init: Omit<HttpRequestInit, 'signal'>,
  budget: CallBudget,
): Promise<HttpResponse> {
  if (!budget.allows()) {
    throw new OutOfBudgetError(
      operation,
      `not sent: no room left for an attempt within the ${settings.policy.maxTotalMs} ms budget`,
    );
  }
  budget.begin();
  try {
    return await settings.fetch(url, { ...init, signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (error: unknown) {
    const { name, message } = describeThrown(error);
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new MarketplaceError(
        operation,
        `no response within ${settings.timeoutMs} ms`,
        undefined,
        { cause: error },
      );
    }
    // Network errors name what failed (e.g. `ECONNREFUSED`); no URL here holds a secret.
    throw new MarketplaceError(operation, `request failed (${name}: ${message})`, undefined, {
      cause: error,
    });
  }
}

/**
 * The response body checked against `schema`; a failure names the fields and what each expected,
 * never their values (Valibot's messages quote the input, and a response may carry client PHI).
 */
export async function parseResponse<S extends v.GenericSchema>(
  operation: string,
  response: HttpResponse,
  schema: S,
): Promise<v.InferOutput<S>> {
  const parsed = v.safeParse(schema, await readJson(operation, response));
  if (!parsed.success) {
    throw new MarketplaceError(
      operation,
      `unexpected response: ${describeIssuePaths(parsed.issues)}`,
      response.status,
    );
  }
  return parsed.output;
}

async function readJson(operation: string, response: HttpResponse): Promise<unknown> {
  let body: string;
  try {
    body = await response.text();
  } catch (error: unknown) {
    const { name } = describeThrown(error);
    throw new MarketplaceError(operation, `could not read response (${name})`, response.status, {
      cause: error,
    });
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new MarketplaceError(operation, 'response is not JSON', response.status);
  }
}

/**
 * An error for a non-2xx response. The API's `message`/`description` is kept (shortened) when
 * the body is JSON; other bodies (gateway HTML, proxies) are left out. Any secret the body
 * happens to echo is masked.
 */
export async function errorFrom(
  operation: string,
  response: HttpResponse,
  secrets: readonly string[],
): Promise<MarketplaceError> {
  let apiMessage: string | undefined;
  let apiDescription: string | undefined;
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      if (typeof record.message === 'string' && record.message !== '')
        apiMessage = clean(record.message, secrets);
      if (typeof record.description === 'string' && record.description !== '')
        apiDescription = clean(record.description, secrets);
    }
  } catch {
    // Not JSON or not readable: the status alone has to do.
  }
  const detail = [apiMessage, apiDescription].filter((part) => part !== undefined).join(': ');
  return new MarketplaceError(
    operation,
    `HTTP ${response.status}${detail ? ` ${detail}` : ''}`,
    response.status,
    {
      ...(apiMessage !== undefined ? { apiMessage } : {}),
      ...(apiDescription !== undefined ? { apiDescription } : {}),
    },
  );
}

/** `?a=1&b=x&b=y` (arrays repeat the name, undefined is left out). */
export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value))
      for (const item of value as readonly string[]) params.append(name, item);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Reads and drops a body so the connection can be reused; a broken body does not matter here. */
export async function discardBody(response: HttpResponse): Promise<void> {
  try {
    await response.text();
  } catch {
    // Nothing to do: the status already said what happened.
  }
}
