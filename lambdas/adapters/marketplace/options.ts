/**
 * How a marketplace client is configured (the options callers pass, with their defaults), what it
 * reports (log lines, login outcomes), and the resolved settings its parts share.
 */
import type { CredentialsProvider } from '../../core/ports';
import { type HttpSend, httpRequest } from '../http-request';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';

/** Per-request timeout of one network attempt, unless the caller sets its own. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** One line the client reports (retries, state checks). No bodies, tokens or credentials. */
export interface MarketplaceLogEntry {
  level: 'info' | 'warn';
  message: string;
  operation: string;
  attempt: number;
  status?: number;
  delayMs?: number;
}

/**
 * How a login ended, for the login metrics (adapters/login-report.ts). `rejected`: the marketplace
 * refused it with a 4xx other than 429 (401/403: wrong or locked credentials), final until someone
 * fixes the secret. `credentials`: the credentials could not be read (secret missing, denied,
 * malformed). `unavailable`: no answer, 429 or 5xx after the client's retries, which may pass.
 * Carries the status only, never the credentials or the API's text.
 */
export type LoginOutcome =
  | { ok: true }
  | { ok: false; reason: 'rejected' | 'unavailable'; status?: number }
  | { ok: false; reason: 'credentials' };

export interface MarketplaceClientOptions {
  /** e.g. `https://api.sandbox.alayamarket.ca` (no trailing path). */
  baseUrl: string;
  /** Read at each login; asked for a fresh value (`refresh: true`) once after a login is refused 401. */
  credentials: CredentialsProvider;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Sends one request: `httpRequest` (node:https, kept-alive connections) unless given, e.g. a fetch. */
  fetch?: HttpSend;
  /** Clock in epoch milliseconds, for token expiry, Retry-After dates and the retry budget. */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts (tests pass one that does not really wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for the backoff jitter. */
  random?: () => number;
  log?: (entry: MarketplaceLogEntry) => void;
  /** Told how each login ended (once per login, however many callers waited on it); see LoginOutcome. */
  onLogin?: (outcome: LoginOutcome) => void;
}

/** The options with their defaults filled in, shared by the session and the transport. */
export interface ClientSettings {
  readonly baseUrl: string;
  readonly credentials: CredentialsProvider;
  readonly timeoutMs: number;
  readonly fetch: HttpSend;
  readonly now: () => number;
  readonly policy: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly log: (entry: MarketplaceLogEntry) => void;
  readonly onLogin: (outcome: LoginOutcome) => void;
}

export function resolveOptions(options: MarketplaceClientOptions): ClientSettings {
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    credentials: options.credentials,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? ((url, init) => httpRequest(url, init)),
    now: options.now ?? Date.now,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    log: options.log ?? (() => undefined),
    onLogin: options.onLogin ?? (() => undefined),
  };
}
