/**
 * The marketplace transport: authenticated requests with retries, on which every resource module
 * builds its calls (`getJson` for reads, `action`/`send` for writes).
 *
 * Resilience: a per-request timeout; retries with exponential backoff and full jitter on 429, 5xx
 * and network errors, honouring `Retry-After`, within a bounded number of attempts and total
 * time (retry.ts). Reads are retried freely. An action (accept, decline, assign, close, cancel,
 * mark_processed, create) whose outcome is unknown (timeout, network error, 5xx) is never sent
 * again blindly: the transport first runs the request's `verify` (a read of the resource) and
 * retries only if the action clearly did not take effect. A 401 forces one re-login (session.ts).
 *
 * Privacy: errors and log entries carry the operation, status, attempt and the API's own
 * `message`/`description`, never credentials, tokens or bodies.
 */
import type * as v from 'valibot';
import type { HttpRequestInit, HttpResponse } from '../http-request';
import { apiParts, isNoResponse, MarketplaceError } from './errors';
import {
  discardBody,
  errorFrom,
  fetchWithTimeout,
  parseResponse,
  type Query,
  queryString,
} from './http';
import { type ClientSettings, type MarketplaceClientOptions, resolveOptions } from './options';
import { type CallBudget, isRetryableStatus, retryAfterMs, retrying } from './retry';
import { type LoginResult, MarketplaceSession } from './session';

/** What reading the resource after an action with an unknown outcome showed. */
export type Verdict<T> =
  { kind: 'done'; value: T } | { kind: 'not-done' } | { kind: 'impossible'; state: string };

export interface Request<T> {
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  body?: object;
  /** Present for actions: how to tell, after an unknown outcome, whether the action took effect. */
  verify?: (startedAt: number) => Promise<Verdict<T>>;
}

/** A 2xx response, or what the state read showed once it proved an action had taken effect. */
export type Outcome<T> = { response: HttpResponse } | { verified: T };

export class MarketplaceTransport {
  protected readonly settings: ClientSettings;
  private readonly session: MarketplaceSession;

  constructor(options: MarketplaceClientOptions) {
    this.settings = resolveOptions(options);
    this.session = new MarketplaceSession(this.settings);
  }

  /** `POST /auth/v1/login`: logs in now (replacing any cached token). */
  async login(): Promise<LoginResult> {
    return this.session.login();
  }

  /** A GET whose 2xx body is checked against `schema`. */
  async getJson<S extends v.GenericSchema>(
    operation: string,
    path: string,
    schema: S,
    query?: Query,
  ): Promise<v.InferOutput<S>> {
    const outcome = await this.send<never>({
      operation,
      method: 'GET',
      path,
      ...(query ? { query } : {}),
    });
    return this.parse(operation, outcome, schema);
  }

  /** An action without a response body worth reading. */
  async action(request: Request<undefined>): Promise<void> {
    const outcome = await this.send(request);
    if ('response' in outcome) await discardBody(outcome.response);
  }

  /** The 2xx body of a request without `verify`, checked against `schema`. */
  async parse<S extends v.GenericSchema>(
    operation: string,
    outcome: Outcome<never>,
    schema: S,
  ): Promise<v.InferOutput<S>> {
    if ('verified' in outcome) throw new MarketplaceError(operation, 'unexpected verification');
    return parseResponse(operation, outcome.response, schema);
  }

  /**
   * Sends a request with retries and returns its 2xx response, or, for an action whose outcome was
   * unknown, what reading the resource showed once it proved the action had taken effect.
   */
  async send<T>(request: Request<T>): Promise<Outcome<T>> {
    const { operation } = request;
    const { settings } = this;
    const startedAt = settings.now();
    const budget = this.session.newBudget();
    /** Set once an attempt of an action ended without telling whether it took effect. */
    let unknown: MarketplaceError | undefined;
    // Awaited, so async stack traces keep the caller's frames (errors, and the cost bench's count).
    return await retrying<Outcome<T>, MarketplaceError>({
      policy: settings.policy,
      budget,
      random: settings.random,
      sleep: settings.sleep,
      noResponse: (error) => isNoResponse(error, operation),
      attempt: async (attempt) => {
        const response = await this.authorized(request, budget);
        if (response.ok) return { kind: 'done', value: { response } };
        const failure = await errorFrom(operation, response, this.session.secrets);
        if (!isRetryableStatus(response.status)) {
          // A refusal after an unknown outcome may just mean the earlier attempt did it.
          if (request.verify !== undefined && unknown !== undefined) {
            const verdict = await this.verifyQuietly(request, startedAt, attempt, failure);
            if (verdict.kind === 'done')
              return { kind: 'done', value: { verified: verdict.value } };
          }
          throw failure;
        }
        const waitMs = retryAfterMs(response.headers.get('retry-after'), settings.now());
        return { kind: 'retryable', failure, ...(waitMs !== undefined ? { waitMs } : {}) };
      },
      settle: async (failure, attempt) => {
        // 429 means the request was refused unprocessed; a 5xx or no answer leaves an action's outcome open.
        if (request.verify === undefined || failure.status === 429) return undefined;
        unknown = failure;
        const verdict = await this.verifyQuietly(request, startedAt, attempt, failure);
        if (verdict.kind === 'done') return { value: { verified: verdict.value } };
        if (verdict.kind === 'not-done') return undefined;
        const cause = failure.message.slice(operation.length + 2);
        throw verdict.kind === 'impossible'
          ? new MarketplaceError(
              operation,
              `${cause}; the resource is now in state ${verdict.state}`,
              failure.status,
              { cause: failure, ...apiParts(failure) },
            )
          : new MarketplaceError(
              operation,
              `${cause}; outcome unknown (state could not be read)`,
              failure.status,
              { cause: failure, ...apiParts(failure), outcomeUnknown: true },
            );
      },
      onRetry: (failure, attempt, delayMs) => {
        settings.log({
          level: 'warn',
          message: 'marketplace request failed; retrying',
          operation,
          attempt,
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          delayMs,
        });
      },
    });
  }

  /** Runs the state check; a failure to read is reported as `unreadable`, never thrown. */
  private async verifyQuietly<T>(
    request: Request<T>,
    startedAt: number,
    attempt: number,
    failure: MarketplaceError,
  ): Promise<Verdict<T> | { kind: 'unreadable' }> {
    if (request.verify === undefined) return { kind: 'unreadable' };
    this.settings.log({
      level: 'info',
      message: 'outcome unknown; reading the resource before any retry',
      operation: request.operation,
      attempt,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
    try {
      return await request.verify(startedAt);
    } catch {
      return { kind: 'unreadable' };
    }
  }

  /**
   * One authenticated attempt. A 401 drops the token and repeats once with a fresh login; a second
   * 401 is returned as it is (no loop).
   */
  private async authorized(request: Request<unknown>, budget: CallBudget): Promise<HttpResponse> {
    let token = await this.session.getToken(budget);
    let response = await this.sendOnce(request, token, budget);
    if (response.status === 401) {
      await discardBody(response);
      this.session.invalidate(token);
      token = await this.session.getToken(budget);
      response = await this.sendOnce(request, token, budget);
    }
    return response;
  }

  private async sendOnce(
    request: Request<unknown>,
    token: string,
    budget: CallBudget,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: token };
    const init: Omit<HttpRequestInit, 'signal'> = { method: request.method, headers };
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }
    return fetchWithTimeout(
      this.settings,
      request.operation,
      `${this.settings.baseUrl}${request.path}${queryString(request.query)}`,
      init,
      budget,
    );
  }
}
