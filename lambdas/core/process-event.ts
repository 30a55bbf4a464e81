import { assignAcceptedOffer } from './assign-offer';
import type { DemandAssignmentPolicy, Role } from './connector-values';
import type { Rules } from './rules-schema';
import type { AcceptCounter } from './caps';
import { createUnitDecider, UnitBusyError } from './decide-unit';
import { eventFailures } from './event-failures';
import { RetryLaterError } from './errors';
import {
  isOfferAccepted,
  isOfferMatched,
  parseMarketplaceMessage,
  type MarketplaceEvent,
  type QueuedEvent,
} from './events';
import {
  type EventCompletion,
  isFinal,
  type LastEvent,
  type MarketplaceApi,
  type MarketplaceDemandApi,
  type MarketplaceReferralApi,
  type OfferRecord,
  type Notifier,
  type OfferNotification,
  type OfferStore,
  type ReferralEventPublisher,
  type RulesSource,
  type UnitStore,
} from './ports';
import { handleReferralEvent, isReferralEvent } from './referral-event';
import type { DemandAlert, ProcessResult } from './process-result';
import { rejudges, type Replay } from './replay';
import { asRulesSource } from './rules-source';

/**
 * The worker's use case: one marketplace event, taken from the queue, acted on at most once.
 *
 * Supply side, an `OfferMatched` is decided for its whole decision unit (the shift, or the lone
 * offer) under the unit's lease, so that two events for one offer or one shift, however they
 * interleave, give one answer (see decide-unit.ts). That lease, held per attempt, also keeps a
 * second delivery of the same event out, and the offer's record then shows it decided, so an
 * `OfferMatched` takes no event claim of its own: two writes fewer on the busiest path. Nor does a
 * referral event: its referral's lease, held per attempt, does the claim's work
 * (referral-event.ts). Every other event is claimed (`claimEvent`), which makes a redelivery a
 * no-op. Demand side, `OfferAccepted` is assigned by policy (assign-offer.ts).
 */

/**
 * How long a claim keeps other invocations off an event, when the caller gives none. The worker
 * always passes its own (lambdas/worker/timing.ts: longer than its Lambda timeout, shorter than
 * the queue's visibility timeout); these defaults serve tests and tools.
 */
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;

/** Defaults for a processor built without the worker's timing (tests and tools). */
export const DEFAULT_DECISION_LEASE_MS = 5 * 60 * 1000;
export const DEFAULT_ACTION_BUDGET_MS = 60 * 1000;

/** Another invocation holds the event's claim; the record is retried soon. */
export class EventBusyError extends RetryLaterError {
  override readonly name = 'EventBusyError';
}

/** Outbox events a person must hear about: no supplier will take our offer. (A Map: event names are input.) */
const DEMAND_ALERTS: ReadonlyMap<string, DemandAlert> = new Map<string, DemandAlert>([
  ['OfferDeclinedByAll', 'declined-by-all'],
  ['OfferExpired', 'expired'],
]);

type Handled = Omit<ProcessResult, 'eventId' | 'eventName'>;

export interface EventProcessorDeps {
  marketplace: MarketplaceApi;
  store: OfferStore;
  /** Decision units' leases and decisions (the same table as the store in AWS). */
  units: UnitStore;
  /** The rules, fixed or read from a source (cached, validated, versioned) at each decision. */
  rules: Rules | RulesSource;
  role: Role;
  /** Demand side: how `OfferAccepted` is acted on (default `none`: only recorded). */
  demandAssignment?: DemandAssignmentPolicy;
  /** Required when `demandAssignment` is not `none` and the role takes part in demand. */
  demandMarketplace?: MarketplaceDemandApi;
  now?: () => Date;
  /** How long an event's claim keeps other invocations off it (see the worker's timing). */
  leaseMs?: number;
  /** How long a decision unit's lease lasts; longer than one worker invocation can run. */
  decisionLeaseMs?: number;
  /**
   * The longest an accept/decline call can take (the client's worst case with its retries and
   * state checks): the processor sends one only with at least this much left on its unit lease and
   * in the invocation (`remainingMs`), and otherwise hands the record back (OutOfTimeError).
   */
  actionBudgetMs?: number;
  /** An intent older than this is judged again before it is sent (default 10 minutes). */
  maxIntentAgeMs?: number;
  /** Told of `review` decisions and demand-side alerts (an SNS topic in AWS); none: nobody is told. */
  notifier?: Notifier;
  /** Counters for the accept caps (`rules.limits`); none: accepts are not capped. */
  counter?: AcceptCounter;
  /**
   * Dry run: decide, record (flagged `dryRun`) and notify, but never accept, decline or assign.
   * Decisions made in a dry run are settled: switching to live does not answer them again.
   */
  dryRun?: boolean;
  /**
   * Live mode only: what was decided in a dry run is decided again (if its offer is still open)
   * instead of kept. Off by default: a dry run's decisions stay decided.
   */
  redecideDryRun?: boolean;
  /** Referral events are read through this (PHI-free summaries); none: they are only recorded. */
  referralMarketplace?: MarketplaceReferralApi;
  /** Supply side: mark won referrals processed (config `referrals.markProcessed`). */
  markReferralsProcessed?: boolean;
  /** Supply side: where `ReferralReceived` is put (config `referrals.eventBusArn`). */
  referralPublisher?: ReferralEventPublisher;
}

/** Per-call context: what the invocation has left, when known. */
export interface ProcessOptions {
  /** Milliseconds left in the current invocation (the Lambda context's getRemainingTimeInMillis). */
  remainingMs?: () => number;
  /**
   * The marketplace topic the event came on (`outbox-offers`, ...). OfferExpired is published on
   * both offer topics and only the outbox one is about our own offer: demand alerts need it.
   */
  topicName?: string;
  /** An operator's replay (`connector replay`, origin `operator`): see Replay. */
  replay?: Replay;
  /**
   * The queue's last receive of the record: a failure now sends it to the DLQ, so even a busy unit
   * is put on the event's record there (for `connector dlq list`).
   */
  lastReceive?: boolean;
  /**
   * The queue delivered the record before (its receive count is above 1): an earlier attempt may
   * have left a failure on the event's record, which an unclaimed event that now finishes marks
   * done (`connector status` then no longer counts it failed). First receives skip that look-up.
   */
  retried?: boolean;
}

export interface EventProcessor {
  /** Parses the queued message and processes it. */
  process(queued: QueuedEvent, options?: ProcessOptions): Promise<ProcessResult>;
  /** Processes an already parsed event (see {@link parseMarketplaceMessage}). */
  processEvent(event: MarketplaceEvent, options?: ProcessOptions): Promise<ProcessResult>;
}

/** The processor was built for demand assignment without the demand API to do it with. */
export class DemandWiringError extends Error {
  override readonly name = 'DemandWiringError';
}

/**
 * Builds the event processor. Every path either completes the event or throws; a throw first
 * records the failed attempt on the event (and gives a claim back, so a retry can take it at once).
 */
export function createEventProcessor(deps: EventProcessorDeps): EventProcessor {
  const { marketplace, store } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const failures = eventFailures(store, now);
  const demandPolicy = deps.role === 'supply' ? 'none' : (deps.demandAssignment ?? 'none');
  const demand = deps.demandMarketplace;
  if (demandPolicy !== 'none' && demand === undefined) {
    throw new DemandWiringError(`demand assignment ${demandPolicy} needs a demand marketplace API`);
  }
  const units = createUnitDecider({
    marketplace,
    store,
    units: deps.units,
    rules: asRulesSource(deps.rules),
    now,
    decisionLeaseMs: deps.decisionLeaseMs ?? DEFAULT_DECISION_LEASE_MS,
    actionBudgetMs: deps.actionBudgetMs ?? DEFAULT_ACTION_BUDGET_MS,
    ...(deps.maxIntentAgeMs !== undefined ? { maxIntentAgeMs: deps.maxIntentAgeMs } : {}),
    ...(deps.notifier !== undefined ? { notifier: deps.notifier } : {}),
    ...(deps.counter !== undefined ? { counter: deps.counter } : {}),
    ...(deps.dryRun === true ? { dryRun: true } : {}),
    ...(deps.redecideDryRun === true ? { redecideDryRun: true } : {}),
  });

  /**
   * The event's name and time, unless the offer already records a later event (events can
   * arrive out of order: a retried OfferMatched must not hide the OfferClosed seen meanwhile).
   */
  function lastEventFields(event: MarketplaceEvent, existing: OfferRecord | undefined): LastEvent {
    const seenEvent = { name: event.event_name, at: event.timestamp, eventId: event.event_id };
    const seen =
      existing?.lastEventAt === undefined ? Number.NaN : Date.parse(existing.lastEventAt);
    const at = Date.parse(event.timestamp);
    if (!Number.isNaN(seen) && !Number.isNaN(at) && at < seen) return { seenEvent };
    return { lastEventName: event.event_name, lastEventAt: event.timestamp, seenEvent };
  }

  async function handleOfferMatched(
    event: MarketplaceEvent,
    offerId: string,
    at: Date,
    options: ProcessOptions,
  ): Promise<Handled> {
    const existing = await store.getOffer(offerId);
    const lastEvent = lastEventFields(event, existing);
    const finality = { redecideDryRun: deps.redecideDryRun === true && deps.dryRun !== true };
    if (
      existing?.decision !== undefined &&
      isFinal(existing.decision, finality) &&
      !rejudges(existing.decision, options.replay, event.event_id)
    ) {
      await units.completeCopies(existing.decision, offerId);
      // This very event was handled already (a redelivery): its facts are on record.
      if (existing.events?.some((seen) => seen.eventId === event.event_id) === true)
        return { outcome: 'duplicate', offerId };
      await store.recordOfferFacts({ offerId, ...lastEvent, updatedAt: at.toISOString() });
      return { outcome: 'already-decided', offerId };
    }
    const offer = await marketplace.getInboxOffer(offerId);
    const result = await units.decide(offer, event.event_id, lastEvent, {
      ...(options.remainingMs !== undefined ? { remainingMs: options.remainingMs } : {}),
      ...(options.replay !== undefined ? { replay: options.replay } : {}),
      undecided: existing?.decision === undefined,
    });
    return { ...result, offerId };
  }

  /**
   * `OfferAccepted` for one of our outbox offers: assigned under the offer's own lease (key
   * `outbox#<offer id>`), so two suppliers' acceptances handled at once never make two assign calls.
   */
  async function handleOfferAccepted(
    api: MarketplaceDemandApi,
    policy: 'first-accepted',
    event: MarketplaceEvent,
    offerId: string,
    at: Date,
  ): Promise<Handled> {
    const key = `outbox#${offerId}`;
    const lease = await deps.units.acquireUnitLease(
      key,
      event.event_id,
      now(),
      deps.decisionLeaseMs ?? DEFAULT_DECISION_LEASE_MS,
    );
    if (lease.kind === 'busy')
      throw new UnitBusyError('outbox offer is being assigned by another event');
    try {
      const assigned = await assignAcceptedOffer(
        { api, store, policy, dryRun: deps.dryRun === true },
        event,
        offerId,
        at,
        (existing) => lastEventFields(event, existing),
      );
      return { ...assigned, offerId };
    } finally {
      try {
        await deps.units.releaseUnitLease(key, event.event_id);
      } catch {
        // It runs out on its own.
      }
    }
  }

  /** What a person is told of a demand alert: the offer id, and its types when the store knows them. */
  function demandAlert(
    kind: OfferNotification['kind'],
    offerId: string,
    existing: OfferRecord | undefined,
  ): OfferNotification {
    const notification: OfferNotification = { kind, offerId };
    if (existing?.careType !== undefined) notification.careType = existing.careType;
    if (existing?.offerType !== undefined) notification.offerType = existing.offerType;
    return notification;
  }

  async function handleOtherEvent(
    event: MarketplaceEvent,
    at: Date,
    options: ProcessOptions,
  ): Promise<Handled> {
    const offerId = event.offer_id;
    if (offerId === undefined) return { outcome: 'recorded' };
    const existing = await store.getOffer(offerId);
    await store.recordOfferFacts({
      offerId,
      ...lastEventFields(event, existing),
      updatedAt: at.toISOString(),
    });
    // OfferExpired is published on both offer topics: only the outbox one is ours to chase.
    const alert =
      options.topicName === 'outbox-offers' ? DEMAND_ALERTS.get(event.event_name) : undefined;
    if (alert !== undefined && deps.role !== 'supply' && deps.notifier !== undefined) {
      // Before the event is completed: a failed publish releases the claim, and the retry
      // notifies again (at least once), instead of a warning nobody may read.
      await deps.notifier.notify(demandAlert(alert, offerId, existing));
    }
    return alert === undefined
      ? { outcome: 'recorded', offerId }
      : { outcome: 'recorded', offerId, demandAlert: alert };
  }

  async function processEvent(
    event: MarketplaceEvent,
    options: ProcessOptions = {},
  ): Promise<ProcessResult> {
    const ids = { eventId: event.event_id, eventName: event.event_name };
    const receive = {
      lastReceive: options.lastReceive === true,
      retried: options.retried === true,
    };
    if (isOfferMatched(event) && deps.role !== 'demand' && event.offer_id !== undefined) {
      const offerId = event.offer_id;
      return failures.unclaimed(ids, receive, () =>
        handleOfferMatched(event, offerId, now(), options),
      );
    }
    if (isReferralEvent(event) && deps.referralMarketplace !== undefined) {
      // No event claim: the referral's lease, held per attempt, keeps a second delivery out and
      // remembers the event done (referral-event.ts).
      const referralMarketplace = deps.referralMarketplace;
      return failures.unclaimed(ids, receive, () =>
        handleReferralEvent(
          {
            api: referralMarketplace,
            store,
            units: deps.units,
            role: deps.role,
            markProcessed: deps.markReferralsProcessed === true,
            ...(deps.referralPublisher !== undefined ? { publisher: deps.referralPublisher } : {}),
            now,
            leaseMs: deps.decisionLeaseMs ?? DEFAULT_DECISION_LEASE_MS,
          },
          event,
          options.topicName,
          (existing) => lastEventFields(event, existing),
        ),
      );
    }
    const claim = await store.claimEvent(event.event_id, now(), leaseMs);
    if (claim === 'done') {
      return event.offer_id === undefined
        ? { ...ids, outcome: 'duplicate' }
        : { ...ids, outcome: 'duplicate', offerId: event.offer_id };
    }
    if (claim === 'busy')
      throw new EventBusyError('event is being processed by another invocation');

    try {
      const at = now();
      const offerId = event.offer_id;
      let handled: Handled;
      if (
        isOfferAccepted(event) &&
        demandPolicy !== 'none' &&
        demand !== undefined &&
        offerId !== undefined
      ) {
        handled = await handleOfferAccepted(demand, demandPolicy, event, offerId, at);
      } else {
        handled = await handleOtherEvent(event, at, options);
      }
      const outcome: EventCompletion = { eventName: event.event_name, outcome: handled.outcome };
      if (handled.offerId !== undefined) outcome.offerId = handled.offerId;
      await store.completeEvent(event.event_id, now(), outcome);
      return { ...ids, ...handled };
    } catch (error: unknown) {
      await failures.recordFailure(event.event_id, error);
      throw error;
    }
  }

  return {
    processEvent,
    process: async (queued, options) =>
      processEvent(parseMarketplaceMessage(queued.message), options),
  };
}
