import type { Role } from './connector-values';
import { RetryLaterError } from './errors';
import { attemptLease } from './attempt-lease';
import type { MarketplaceEvent, TopicName } from './events';
import {
  type MarketplaceReferralApi,
  type OfferRecord,
  type OfferReferral,
  type OfferStore,
  REFERRAL_STEPS,
  type ReferralEventPublisher,
  type ReferralStatus,
  type ReferralSummary,
  type UnitStore,
} from './ports';

/**
 * Referral events (`alayamarket.referrals`), both sides.
 *
 * Supply (`inbox-referrals`): `ReferralCreated` means the offer was won. The event carries the
 * referral id and client identifiers only (never read here), so the referral is read first, down
 * to its PHI-free summary, to learn its offer. Then, each step recorded on the offer's `referral`:
 *
 *   1. the offer is won (`wonAt`);
 *   2. with `markProcessed`, the referral is marked processed (`processedAt`): one already
 *      `processed` counts as done, a `cancelled` one is recorded and not an error;
 *   3. with a publisher, `ReferralReceived` is put on the bus (`forwardedAt`);
 *
 * all recorded in one write once done, with the offer's facts and the event seen (a failure on the
 * way records the steps done before it, the win at least, and is rethrown). A retry does only what
 * is not recorded done, and a mark found done at the marketplace is not sent again. The bus is at
 * least once (a process dying after the put and before its record puts it again): consumers
 * de-duplicate on `referralId`. `ReferralDemandCancelled` records the referral `cancelled`.
 *
 * Demand (`outbox-referrals`): `ReferralCreated`, `ReferralProcessed`, `ReferralSupplyCancelled`
 * are recorded on our outbox offer (referral id, status, last event).
 *
 * `ReferralCreated` is published on both topics: the side comes from the topic the event came on.
 * Role `supply` ignores outbox referrals, role `demand` inbox ones. Events of one referral are
 * handled one at a time, under a lease keyed `referral#<id>` and owned by the attempt at the event
 * (attemptOwner), so two copies of one event exclude each other as two events do. The lease is
 * also the events' de-duplication: given back after a handling that finished, it remembers the
 * event as done, and a later copy of a done event is a `duplicate` (two writes per event, where an
 * event claim of its own would add two more).
 */

export const REFERRAL_EVENT_SOURCE = 'alayamarket.referrals';

export type ReferralSide = OfferReferral['side'];

const SIDE_OF_TOPIC: ReadonlyMap<string, ReferralSide> = new Map<TopicName, ReferralSide>([
  ['inbox-referrals', 'inbox'],
  ['outbox-referrals', 'outbox'],
]);

/** Event names published on one referral topic only: their side is known without the topic. */
const SIDE_OF_EVENT: ReadonlyMap<string, ReferralSide> = new Map<string, ReferralSide>([
  ['ReferralDemandCancelled', 'inbox'],
  ['ReferralProcessed', 'outbox'],
  ['ReferralSupplyCancelled', 'outbox'],
]);

/** Which side a role takes part in. */
const ROLE_SIDES: Readonly<Record<Role, readonly ReferralSide[]>> = {
  supply: ['inbox'],
  demand: ['outbox'],
  both: ['inbox', 'outbox'],
};

/** Another event of the same referral is being handled; the record is retried soon. */
export class ReferralBusyError extends RetryLaterError {
  override readonly name = 'ReferralBusyError';
}

/** A referral event whose side cannot be told (no referral topic, and a name both sides publish). */
export class ReferralSideError extends Error {
  override readonly name = 'ReferralSideError';
}

export function isReferralEvent(
  event: MarketplaceEvent,
): event is MarketplaceEvent & { referral_id: string } {
  return event.event_source === REFERRAL_EVENT_SOURCE && event.referral_id !== undefined;
}

export type ReferralOutcome = 'won' | 'recorded' | 'ignored' | 'duplicate';

export interface ReferralResult {
  outcome: ReferralOutcome;
  offerId?: string;
  referral: {
    id: string;
    side: ReferralSide;
    status?: ReferralStatus;
    /** Steps done by this processing (not by an earlier attempt): counted once by the worker. */
    won?: true;
    markedProcessed?: true;
    forwarded?: true;
  };
}

export interface ReferralDeps {
  api: MarketplaceReferralApi;
  store: OfferStore;
  units: UnitStore;
  role: Role;
  /** Mark a won referral processed at the marketplace (config `referrals.markProcessed`). */
  markProcessed: boolean;
  /** Where `ReferralReceived` is put (config `referrals.eventBusArn`); none: not forwarded. */
  publisher?: ReferralEventPublisher;
  now: () => Date;
  leaseMs: number;
}

/** The side the event is for: its topic's, else its name's, else the role's only side. */
export function referralSide(
  event: MarketplaceEvent,
  topicName: string | undefined,
  role: Role,
): ReferralSide {
  const byTopic = topicName === undefined ? undefined : SIDE_OF_TOPIC.get(topicName);
  if (byTopic !== undefined) return byTopic;
  const byName = SIDE_OF_EVENT.get(event.event_name);
  if (byName !== undefined) return byName;
  const sides = ROLE_SIDES[role];
  const only = sides.at(0);
  if (sides.length === 1 && only !== undefined) return only;
  throw new ReferralSideError(
    `${event.event_name} came on no referral topic: its side cannot be told`,
  );
}

type LastEventOf = (
  existing: OfferRecord | undefined,
) => Pick<OfferRecord, 'lastEventName' | 'lastEventAt'>;

/** Handles one referral event under the referral's lease; throws to have the record retried. */
export async function handleReferralEvent(
  deps: ReferralDeps,
  event: MarketplaceEvent & { referral_id: string },
  topicName: string | undefined,
  lastEventOf: LastEventOf,
): Promise<ReferralResult> {
  const side = referralSide(event, topicName, deps.role);
  const referralId = event.referral_id;
  if (!ROLE_SIDES[deps.role].includes(side))
    return { outcome: 'ignored', referral: { id: referralId, side } };

  // Owned by this attempt (not the event): a second copy of the event, handled at the same moment,
  // finds the referral busy instead of taking the lease as its own.
  const { take, giveBack } = attemptLease(deps.units, `referral#${referralId}`, event.event_id);
  const lease = await take(deps.now(), deps.leaseMs);
  if (lease.kind === 'busy')
    throw new ReferralBusyError(
      'another event of the referral is being handled',
      Math.max(0, lease.until - deps.now().getTime()),
    );
  if (lease.done === true) {
    await giveBack();
    return { outcome: 'duplicate', referral: { id: referralId, side } };
  }
  let result: ReferralResult;
  try {
    result =
      side === 'inbox'
        ? await handleInbox(deps, event, referralId, lastEventOf)
        : await handleOutbox(deps, event, referralId, lastEventOf);
  } catch (error: unknown) {
    // Not remembered done: a redelivery handles it again, and repeats nothing recorded done.
    await giveBack();
    throw error;
  }
  await giveBack({ done: event.event_id });
  return result;
}

/** The referral as recorded on the offer, if it is this one. */
function recordedReferral(
  existing: OfferRecord | undefined,
  referralId: string,
): OfferReferral | undefined {
  return existing?.referral?.id === referralId ? existing.referral : undefined;
}

/** The referral's last event fields: this event's, unless a later one is recorded already. */
function referralEvent(
  event: MarketplaceEvent,
  recorded: OfferReferral | undefined,
): Pick<OfferReferral, 'lastEventName' | 'lastEventAt'> {
  const seen = recorded === undefined ? Number.NaN : Date.parse(recorded.lastEventAt);
  const at = Date.parse(event.timestamp);
  if (recorded !== undefined && !Number.isNaN(seen) && !Number.isNaN(at) && at < seen) {
    return { lastEventName: recorded.lastEventName, lastEventAt: recorded.lastEventAt };
  }
  return { lastEventName: event.event_name, lastEventAt: event.timestamp };
}

/** The offer's facts from the summary (types, shift), for an offer the store may not know yet. */
function summaryFacts(
  summary: ReferralSummary,
): Pick<OfferRecord, 'offerId' | 'careType' | 'offerType' | 'shiftId'> {
  return {
    offerId: summary.offerId,
    careType: summary.careType,
    offerType: summary.offerType,
    ...(summary.shiftId !== undefined ? { shiftId: summary.shiftId } : {}),
  };
}

async function handleInbox(
  deps: ReferralDeps,
  event: MarketplaceEvent,
  referralId: string,
  lastEventOf: LastEventOf,
): Promise<ReferralResult> {
  const { api, store } = deps;
  const summary = await api.getInboxReferralSummary(referralId);
  const offerId = summary.offerId;
  const existing = await store.getOffer(offerId);
  const facts = { ...summaryFacts(summary), ...lastEventOf(existing) };
  const recorded = recordedReferral(existing, referralId);
  let referral: OfferReferral = {
    ...recorded,
    id: referralId,
    side: 'inbox',
    status: summary.status,
    ...referralEvent(event, recorded),
  };
  const result: ReferralResult = {
    outcome: 'recorded',
    offerId,
    referral: { id: referralId, side: 'inbox' },
  };
  // A handling's one write: the offer's facts, the event appended to its history, the referral.
  const save = async (next: OfferReferral) => {
    referral = next;
    await store.recordOfferFacts({ ...facts, referral: next, updatedAt: deps.now().toISOString() });
  };
  if (summary.status === 'cancelled') referral.cancelledAt ??= deps.now().toISOString();

  if (event.event_name !== 'ReferralCreated') {
    // ReferralDemandCancelled (or a name added later): recorded with what the marketplace shows.
    await save(referral);
    result.referral.status = referral.status;
    return result;
  }

  result.outcome = 'won';
  // Steps an earlier attempt recorded but could not report are this handling's to report.
  const { unreported, ...earlier } = referral;
  for (const step of unreported ?? []) result.referral[step] = true;
  let done: OfferReferral = earlier;
  if (done.wonAt === undefined) {
    done = { ...done, wonAt: deps.now().toISOString() };
    result.referral.won = true;
  }

  // The win, the mark and the forward are recorded in one write, once all are done (the win
  // written first would be one write more per won referral). A failure on the way records what
  // was done before it is rethrown: the win at least, so the offer shows won while the record is
  // retried or parked, a mark that took effect, so the retry does not mark again, and a put, so
  // the retry does not put again; with them, which are not reported yet, so the handling that
  // finishes counts them. Only a process dying (or the offer's writes failing) between a step and
  // its record leaves the retry to find the referral processed at the marketplace: not marked
  // again, and put again, the mark then not counted.
  try {
    if (deps.markProcessed && done.processedAt === undefined && done.status !== 'cancelled') {
      const status =
        done.status === 'processed' ? 'processed' : await markProcessed(api, referralId);
      const at = deps.now().toISOString();
      if (status === 'processed') {
        done = { ...done, status, processedAt: at };
        if (summary.status !== 'processed') result.referral.markedProcessed = true;
      } else {
        done = {
          ...done,
          status,
          ...(status === 'cancelled' ? { cancelledAt: done.cancelledAt ?? at } : {}),
        };
      }
    }
    if (
      deps.publisher !== undefined &&
      done.forwardedAt === undefined &&
      done.status !== 'cancelled'
    ) {
      await deps.publisher.publishReferralReceived({
        offerId,
        referralId,
        ...(summary.shiftId !== undefined ? { shiftId: summary.shiftId } : {}),
        careType: summary.careType,
        offerType: summary.offerType,
        startAt: summary.startAt,
      });
      done = { ...done, forwardedAt: deps.now().toISOString() };
      result.referral.forwarded = true;
    }
    await save(done);
  } catch (error: unknown) {
    // Its own write failed too (or its answer was lost): tried once more, with the steps to report.
    const steps = REFERRAL_STEPS.filter((step) => result.referral[step] === true);
    await save(steps.length > 0 ? { ...done, unreported: steps } : done).catch(() => undefined);
    throw error;
  }
  result.referral.status = referral.status;
  return result;
}

/**
 * Marks the referral processed. A refusal or a failure is checked against the referral's status:
 * already `processed` (by an earlier attempt, or a person) is done; `cancelled` is recorded;
 * anything else rethrows the failure, and the record is retried.
 */
async function markProcessed(
  api: MarketplaceReferralApi,
  referralId: string,
): Promise<ReferralStatus> {
  try {
    await api.markInboxReferralProcessed(referralId);
    return 'processed';
  } catch (error: unknown) {
    let status: ReferralStatus;
    try {
      status = await api.getInboxReferralStatus(referralId);
    } catch {
      throw error;
    }
    if (status === 'processed' || status === 'cancelled') return status;
    throw error;
  }
}

async function handleOutbox(
  deps: ReferralDeps,
  event: MarketplaceEvent,
  referralId: string,
  lastEventOf: LastEventOf,
): Promise<ReferralResult> {
  const summary = await deps.api.getOutboxReferralSummary(referralId);
  const existing = await deps.store.getOffer(summary.offerId);
  const recorded = recordedReferral(existing, referralId);
  const referral: OfferReferral = {
    ...recorded,
    id: referralId,
    side: 'outbox',
    status: summary.status,
    ...referralEvent(event, recorded),
  };
  if (summary.status === 'cancelled') referral.cancelledAt ??= deps.now().toISOString();
  await deps.store.recordOfferFacts({
    ...summaryFacts(summary),
    ...lastEventOf(existing),
    referral,
    updatedAt: deps.now().toISOString(),
  });
  return {
    outcome: 'recorded',
    offerId: summary.offerId,
    referral: { id: referralId, side: 'outbox', status: summary.status },
  };
}
