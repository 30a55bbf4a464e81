/**
 * Referral fakes for unit tests: a stateful MarketplaceReferralApi (referral summaries by id, the
 * marketplace's rule that only an `assigned` referral can be marked processed: 409 otherwise) that
 * records its calls and can fail one, and a ReferralEventPublisher that keeps what it was given.
 */
import type {
  MarketplaceReferralApi,
  ReferralEventPublisher,
  ReferralReceivedEvent,
  ReferralSummary,
} from '../../lambdas/core/ports';
import { FakeMarketplaceError } from './offer-marketplace-fake';

export const REFERRAL_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
export const REFERRAL_OFFER_ID = 'b2c3d4e5-0000-4000-8000-000000000002';

export function referralSummary(overrides: Partial<ReferralSummary> = {}): ReferralSummary {
  return {
    id: REFERRAL_ID,
    offerId: REFERRAL_OFFER_ID,
    careType: 'psw',
    offerType: 'visit',
    status: 'assigned',
    startAt: '2026-05-03T09:00:00Z',
    ...overrides,
  };
}

type Method = keyof MarketplaceReferralApi;

export interface FakeReferralApi extends MarketplaceReferralApi {
  inbox: Map<string, ReferralSummary>;
  outbox: Map<string, ReferralSummary>;
  calls: { method: Method; referralId: string }[];
  callsTo(method: Method): string[];
  /** The next call to `method` throws `error` without taking effect (once). */
  failNext(method: Method, error?: Error): void;
  /** The next mark_processed takes effect, then throws `error` (an answer lost after acting). */
  failNextMarkAfterActing(error?: Error): void;
}

export function fakeReferralApi(
  inbox: ReferralSummary[] = [referralSummary()],
  outbox: ReferralSummary[] = [],
): FakeReferralApi {
  const failures = new Map<Method, Error>();
  let lateFailure: Error | undefined;
  const api: FakeReferralApi = {
    inbox: new Map(inbox.map((r) => [r.id, structuredClone(r)])),
    outbox: new Map(outbox.map((r) => [r.id, structuredClone(r)])),
    calls: [],
    callsTo: (method) =>
      api.calls.filter((call) => call.method === method).map((call) => call.referralId),
    failNext: (method, error = new FakeMarketplaceError(`${method}: 503`, 503)) =>
      void failures.set(method, error),
    failNextMarkAfterActing: (
      error = new FakeMarketplaceError('markInboxReferralProcessed: 502', 502, true),
    ) => {
      lateFailure = error;
    },
    async getInboxReferralSummary(referralId) {
      return structuredClone(
        found(enter('getInboxReferralSummary', referralId), api.inbox, referralId),
      );
    },
    async getOutboxReferralSummary(referralId) {
      return structuredClone(
        found(enter('getOutboxReferralSummary', referralId), api.outbox, referralId),
      );
    },
    async getInboxReferralStatus(referralId) {
      return found(enter('getInboxReferralStatus', referralId), api.inbox, referralId).status;
    },
    async markInboxReferralProcessed(referralId) {
      const referral = found(
        enter('markInboxReferralProcessed', referralId),
        api.inbox,
        referralId,
      );
      if (referral.status !== 'assigned')
        throw new FakeMarketplaceError(
          `markInboxReferralProcessed: 409 referral is ${referral.status}`,
          409,
        );
      referral.status = 'processed';
      if (lateFailure !== undefined) {
        const error = lateFailure;
        lateFailure = undefined;
        throw error;
      }
    },
  };
  function enter(method: Method, referralId: string): Method {
    api.calls.push({ method, referralId });
    const failure = failures.get(method);
    if (failure !== undefined) {
      failures.delete(method);
      throw failure;
    }
    return method;
  }
  return api;
}

function found(
  _method: Method,
  referrals: Map<string, ReferralSummary>,
  referralId: string,
): ReferralSummary {
  const referral = referrals.get(referralId);
  if (referral === undefined) throw new FakeMarketplaceError('Referral not found', 404);
  return referral;
}

export interface MemoryReferralPublisher extends ReferralEventPublisher {
  events: ReferralReceivedEvent[];
  failNext(error?: Error): void;
}

export function memoryReferralPublisher(): MemoryReferralPublisher {
  let failure: Error | undefined;
  const publisher: MemoryReferralPublisher = {
    events: [],
    failNext: (error = new Error('PutEvents failed')) => {
      failure = error;
    },
    async publishReferralReceived(event) {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      publisher.events.push(structuredClone(event));
    },
  };
  return publisher;
}
