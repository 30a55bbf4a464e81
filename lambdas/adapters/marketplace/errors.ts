/**
 * The marketplace client's error, and how any text from outside (the API's messages, thrown
 * values) is reduced before it goes into one: shortened, secrets masked. Schema failures are told
 * by field paths and what each expected, never values (`describeIssuePaths`, used in http.ts).
 */

/** Longest API-provided detail kept in an error message. */
const MAX_DETAIL_LENGTH = 200;

export class MarketplaceError extends Error {
  override readonly name = 'MarketplaceError';
  /** The HTTP status, or undefined when no response came (timeout, network). */
  readonly status: number | undefined;
  /** The client method (or `login`) that failed, e.g. `acceptInboxOffer`. */
  readonly operation: string;
  /** The API's `message` and `description`, shortened and with any secret masked. */
  readonly apiMessage: string | undefined;
  readonly apiDescription: string | undefined;
  /**
   * True when an action may or may not have taken effect and the client could not find out
   * (the state read failed too): the caller must check before acting again.
   */
  readonly outcomeUnknown: boolean;

  constructor(
    operation: string,
    message: string,
    status?: number,
    options?: {
      cause?: unknown;
      apiMessage?: string;
      apiDescription?: string;
      outcomeUnknown?: boolean;
    },
  ) {
    super(
      `${operation}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.operation = operation;
    this.status = status;
    this.apiMessage = options?.apiMessage;
    this.apiDescription = options?.apiDescription;
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/**
 * An attempt the call's budget had no room for: nothing was sent, so it is not a lost answer
 * (never followed by a state read or a retry). Still a MarketplaceError to callers.
 */
export class OutOfBudgetError extends MarketplaceError {}

/** A timeout or network error of `operation` itself: an attempt that got no response at all. */
export function isNoResponse(error: unknown, operation: string): error is MarketplaceError {
  return (
    error instanceof MarketplaceError &&
    !(error instanceof OutOfBudgetError) &&
    error.status === undefined &&
    error.operation === operation
  );
}

export function apiParts(error: MarketplaceError): {
  apiMessage?: string;
  apiDescription?: string;
} {
  return {
    ...(error.apiMessage !== undefined ? { apiMessage: error.apiMessage } : {}),
    ...(error.apiDescription !== undefined ? { apiDescription: error.apiDescription } : {}),
  };
}

/** `value` with every secret replaced by `[redacted]`, shortened. */
export function clean(value: string, secrets: readonly string[]): string {
  let out = value;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out.length > MAX_DETAIL_LENGTH ? `${out.slice(0, MAX_DETAIL_LENGTH)}...` : out;
}

/**
 * Name and message of anything thrown. The timeout's DOMException (AbortSignal.timeout's reason)
 * and Node's own errors are made in Node's realm, not always the caller's (jest's, for one): this
 * reads the fields instead of using instanceof.
 */
export function describeThrown(error: unknown): { name: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : 'Error',
      message: typeof message === 'string' ? message : '',
    };
  }
  return { name: 'unknown error', message: '' };
}
