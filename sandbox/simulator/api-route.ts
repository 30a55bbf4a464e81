/** The shape of the marketplace API's routes (the route tables and the server share it). */
import type { JsonObject } from './api-body';
import type { AssignCall } from './assign-calls';
import type { Identity } from './auth';
import type { OfferBook, SimulatorCall } from './offer-book';

/** What a route answers; the fault layer decides whether and how it reaches the client. */
export interface Reply {
  status: number;
  body?: unknown;
}

export interface Context {
  identity: Identity;
  /** The caller's organisation. */
  orgId: string;
  url: URL;
  /** The request's JSON object body, read once on first call (undefined when empty). */
  body: () => Promise<JsonObject | undefined>;
  /** The path pattern's captured groups, URL-decoded. */
  params: string[];
}

/** Who may call a route: an organisation holding that persona, or any signed-in caller. */
export type Role = 'supply' | 'demand' | 'any';

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  role: Role;
  handle: (ctx: Context) => Promise<Reply> | Reply;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const noContent: Reply = { status: 204 };

export function found(value: unknown, message: string): Reply {
  return value === undefined ? { status: 404, body: { message } } : ok(value);
}

/** What the route tables work with (the server's options, less its faults and auth). */
export interface RouteDeps {
  book: OfferBook;
  now: () => Date;
  /** Told about every accept/decline request once it is answered (for the sandbox's own story). */
  onCall?: (call: SimulatorCall) => void;
  /** Told about every assign request that reached the offer book, answered or refused. */
  onAssign?: (call: AssignCall) => void;
  /** `POST /organizations/v1/subscribe` with protocol https: returns the subscription ARN. */
  subscribe?: (organizationId: string, topic: string, endpoint: string) => string;
}
