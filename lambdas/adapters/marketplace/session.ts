/**
 * The marketplace session: the login (`POST /auth/v1/login`) and its cached token. The token is
 * kept until shortly before `ExpiresIn`; concurrent callers share one login in flight; a login
 * refused 401 re-reads the credentials once (they may have been rotated at their source); every
 * password and token it has seen is remembered, to be masked in any error text that echoes one.
 */
import type { MarketplaceCredentials } from '../../core/ports';
import type { HttpResponse } from '../http-request';
import { isNoResponse, MarketplaceError } from './errors';
import { errorFrom, fetchWithTimeout, parseResponse } from './http';
import type { ClientSettings, LoginOutcome } from './options';
import { CallBudget, isRetryableStatus, retryAfterMs, retrying } from './retry';
import { loginResponseSchema } from './schemas/auth';

/** Log in again this long before the token runs out, so no request carries an expiring token. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
/** The token lifetime assumed when login does not say (Cognito's default). */
const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** How many secrets (a rotated password, recent tokens) are kept to mask. */
const KNOWN_SECRETS = 6;

/** What a login tells the caller: never the tokens themselves. */
export interface LoginResult {
  expiresInSeconds: number;
}

interface TokenState {
  token: string;
  refreshAt: number;
}

export class MarketplaceSession {
  private token: TokenState | undefined;
  /** ExpiresIn of the last login, in seconds. */
  private lastLifetimeS: number | undefined;
  /** Tokens issued to this client and the password, masked in any error text that echoes one. */
  private readonly knownSecrets: string[] = [];
  /** Shared by concurrent callers so a cold or expired cache costs one login, not one each. */
  private loginInFlight: Promise<string> | undefined;

  constructor(private readonly settings: ClientSettings) {}

  /** The secrets to mask in error text. */
  get secrets(): readonly string[] {
    return this.knownSecrets;
  }

  /** A call's time bound (see CallBudget): logins and repeats inside the call count against it. */
  newBudget(): CallBudget {
    return new CallBudget(this.settings.now, this.settings.policy, this.settings.timeoutMs);
  }

  /** Logs in now (replacing any cached token). */
  async login(): Promise<LoginResult> {
    this.token = undefined;
    await this.getToken();
    return { expiresInSeconds: this.lastLifetimeS ?? DEFAULT_TOKEN_LIFETIME_S };
  }

  /**
   * The cached token, or a login within `budget` (the calling request's, so the login counts
   * against it). A caller that joins another's login in flight waits on that caller's budget: the
   * bound holds for a client used by one caller at a time, as the worker does.
   */
  async getToken(budget: CallBudget = this.newBudget()): Promise<string> {
    if (this.token !== undefined && this.settings.now() < this.token.refreshAt)
      return this.token.token;
    if (this.loginInFlight === undefined) {
      this.loginInFlight = this.loginWithRetries(budget).finally(() => {
        this.loginInFlight = undefined;
      });
    }
    return this.loginInFlight;
  }

  /** Forgets `token` unless a concurrent caller has already replaced it with a newer one. */
  invalidate(token: string): void {
    if (this.token?.token === token) this.token = undefined;
  }

  /** One login, reported to `onLogin` once however it ends. */
  private async loginWithRetries(budget: CallBudget): Promise<string> {
    let credentials: MarketplaceCredentials;
    try {
      credentials = await this.settings.credentials();
    } catch (error: unknown) {
      this.report({ ok: false, reason: 'credentials' });
      throw error;
    }
    try {
      const token = await this.loginAttempts(credentials, budget);
      this.report({ ok: true });
      return token;
    } catch (error: unknown) {
      const status = error instanceof MarketplaceError ? error.status : undefined;
      const rejected =
        status !== undefined && status >= 400 && status < 500 && !isRetryableStatus(status);
      this.report({
        ok: false,
        reason: rejected ? 'rejected' : 'unavailable',
        ...(status !== undefined ? { status } : {}),
      });
      throw error;
    }
  }

  /** A reporting callback that throws must not turn a login into a failure, nor hide one. */
  private report(outcome: LoginOutcome): void {
    try {
      this.settings.onLogin(outcome);
    } catch {
      // Metrics are a side channel: the login's own result stands.
    }
  }

  /** Login has no side effect, so it is retried like a read (but a 4xx is final). */
  private async loginAttempts(
    credentials: MarketplaceCredentials,
    budget: CallBudget,
  ): Promise<string> {
    const operation = 'login';
    const { settings } = this;
    let { username, password } = credentials;
    this.remember(password);
    let reread = false;
    // Awaited, so async stack traces keep the caller's frames (errors, and the cost bench's count).
    return await retrying<string, MarketplaceError>({
      policy: settings.policy,
      budget,
      random: settings.random,
      sleep: settings.sleep,
      noResponse: (error) => isNoResponse(error, operation),
      attempt: async (attempt) => {
        const response = await fetchWithTimeout(
          settings,
          operation,
          `${settings.baseUrl}/auth/v1/login`,
          {
            method: 'POST',
            headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
            body: JSON.stringify({ username, password }),
          },
          budget,
        );
        if (response.ok) return { kind: 'done', value: await this.acceptLogin(response) };
        const failure = await errorFrom(operation, response, [password, username]);
        // Refused: the login may have been fixed or rotated at its source since it was cached.
        // Read it again, once; only a different login is worth another attempt.
        if (response.status === 401 && !reread) {
          reread = true;
          const fresh = await settings.credentials({ refresh: true });
          if (fresh.username !== username || fresh.password !== password) {
            ({ username, password } = fresh);
            this.remember(password);
            settings.log({
              level: 'warn',
              message: 'marketplace login refused; trying the credentials read again',
              operation,
              attempt,
              status: response.status,
            });
            return { kind: 'again' };
          }
        }
        if (!isRetryableStatus(response.status)) throw failure;
        const waitMs = retryAfterMs(response.headers.get('retry-after'), settings.now());
        return { kind: 'retryable', failure, ...(waitMs !== undefined ? { waitMs } : {}) };
      },
      onRetry: (failure, attempt, delayMs) => {
        settings.log({
          level: 'warn',
          message: 'marketplace login failed; retrying',
          operation,
          attempt,
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          delayMs,
        });
      },
    });
  }

  private async acceptLogin(response: HttpResponse): Promise<string> {
    const parsed = await parseResponse('login', response, loginResponseSchema);
    const lifetimeS = parsed.ExpiresIn ?? DEFAULT_TOKEN_LIFETIME_S;
    const lifetimeMs = lifetimeS * 1000;
    // A lifetime shorter than twice the margin would never be reused; keep it for half its life.
    const reuseMs =
      lifetimeMs > 2 * TOKEN_REFRESH_MARGIN_MS
        ? lifetimeMs - TOKEN_REFRESH_MARGIN_MS
        : lifetimeMs / 2;
    this.token = { token: parsed.IdToken, refreshAt: this.settings.now() + reuseMs };
    this.lastLifetimeS = lifetimeS;
    this.remember(parsed.IdToken);
    return parsed.IdToken;
  }

  /** Keeps the last few secrets to mask (a rotated password, recent tokens). */
  private remember(secret: string): void {
    if (secret === '' || this.knownSecrets.includes(secret)) return;
    this.knownSecrets.push(secret);
    if (this.knownSecrets.length > KNOWN_SECRETS) this.knownSecrets.shift();
  }
}
