/**
 * An in-memory OfferStore for unit tests, with the semantics of DynamoOfferStore (the integration
 * test runs the same contract against both): event leases, `done` events stay done, facts never
 * touch the decision, and an `intended` decision never replaces an `applied` one.
 * It also records each call, and lets a test make one method fail. A lone offer's decision unit is
 * the offer's own record (see UnitItems), as in DynamoUnitStore.
 */
import { DecisionConflictError, LeaseLostError } from '../../lambdas/core/errors';
import {
  type EventClaim,
  type EventCompletion,
  type EventFailure,
  isSettled,
  MAX_DONE_EVENTS,
  MAX_SEEN_EVENTS,
  type OfferFacts,
  type OfferRecord,
  type OfferStore,
  type RecordedDecision,
  type UnitDecisionOptions,
  type UnitLease,
  type UnitStore,
} from '../../lambdas/core/ports';
import { isOwnerOf, loneOfferOfUnit } from '../../lambdas/core/unit-decision';

interface EventItem {
  status: 'in_progress' | 'done' | 'failed';
  leaseUntil?: number;
  lastError?: EventFailure;
  failedAttempts?: number;
  outcome?: EventCompletion;
}

interface UnitItem {
  leaseOwner?: string;
  leaseUntil?: number;
  decision?: RecordedDecision;
  /** Events remembered finished (releaseUnitLease's `done`), the latest MAX_DONE_EVENTS. */
  doneEvents?: string[];
}

export type StoreMethod = keyof OfferStore | keyof UnitStore;

/** Both stores of one DynamoDB table: offers and events (OfferStore), decision units (UnitStore). */
export class MemoryOfferStore implements OfferStore, UnitStore {
  readonly events = new Map<string, EventItem>();
  readonly offers = new Map<string, OfferRecord>();
  readonly units = new UnitItems(this.offers);
  /** Every call, in order, with its arguments (copied, so later changes do not show). */
  readonly calls: { method: StoreMethod; args: unknown[] }[] = [];
  private readonly failures = new Map<StoreMethod, Error>();

  /** The next call to `method` throws `error` (once). */
  failNext(method: StoreMethod, error: Error = new Error(`${method} failed`)): void {
    this.failures.set(method, error);
  }

  callsTo(method: StoreMethod): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  private enter(method: StoreMethod, args: unknown[]): void {
    this.calls.push({ method, args: structuredClone(args) });
    const failure = this.failures.get(method);
    if (failure !== undefined) {
      this.failures.delete(method);
      throw failure;
    }
  }

  async claimEvent(eventId: string, now: Date, leaseMs: number): Promise<EventClaim> {
    this.enter('claimEvent', [eventId, now, leaseMs]);
    const item = this.events.get(eventId);
    if (item?.status === 'done') return 'done';
    if (item?.status === 'in_progress' && (item.leaseUntil ?? 0) >= now.getTime()) return 'busy';
    this.events.set(eventId, {
      ...item,
      status: 'in_progress',
      leaseUntil: now.getTime() + leaseMs,
    });
    return 'claimed';
  }

  async completeEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void> {
    this.enter('completeEvent', [eventId, now, outcome]);
    this.events.set(eventId, { status: 'done', outcome: structuredClone(outcome) });
  }

  async releaseEvent(eventId: string, failure?: EventFailure): Promise<void> {
    this.enter('releaseEvent', failure === undefined ? [eventId] : [eventId, failure]);
    const item = this.events.get(eventId);
    if (failure === undefined) {
      if (item?.status === 'in_progress') this.events.delete(eventId);
      return;
    }
    // Claimed or not (an OfferMatched takes no claim): kept unless done.
    if (item?.status === 'done') return;
    this.events.set(eventId, {
      status: 'failed',
      lastError: { ...failure },
      failedAttempts: (item?.failedAttempts ?? 0) + 1,
    });
  }

  async completeFailedEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void> {
    this.enter('completeFailedEvent', [eventId, now, outcome]);
    const item = this.events.get(eventId);
    if (item?.status !== 'failed') return;
    this.events.set(eventId, { ...item, status: 'done', outcome: structuredClone(outcome) });
  }

  async getOffer(offerId: string): Promise<OfferRecord | undefined> {
    this.enter('getOffer', [offerId]);
    const record = this.offers.get(offerId);
    return record === undefined ? undefined : structuredClone(record);
  }

  /** Per offer: the event last appended to `events` (a retried write does not append it again). */
  private readonly lastSeen = new Map<string, string>();

  async recordOfferFacts(record: OfferFacts): Promise<void> {
    this.enter('recordOfferFacts', [record]);
    this.writeFacts(record);
  }

  /** recordOfferFacts without counting a call (recordDecision writes facts with a decision). */
  private writeFacts(record: OfferFacts): void {
    const existing = this.offers.get(record.offerId);
    if (record.assignment?.state === 'intended' && existing?.assignment?.state === 'applied') {
      throw new DecisionConflictError(`offer ${record.offerId} already has an applied assignment`);
    }
    const given = Object.fromEntries(
      Object.entries<unknown>(record).filter(
        ([key, value]) => value !== undefined && key !== 'decision' && key !== 'seenEvent',
      ),
    );
    const next: OfferRecord = {
      ...existing,
      ...given,
      offerId: record.offerId,
      updatedAt: record.updatedAt,
    };
    if (existing?.decision !== undefined) next.decision = existing.decision;
    const seen = record.seenEvent;
    if (seen !== undefined && this.lastSeen.get(record.offerId) !== seen.eventId) {
      this.lastSeen.set(record.offerId, seen.eventId);
      next.events = [
        ...(existing?.events ?? []),
        { name: seen.name, at: seen.at, eventId: seen.eventId },
      ].slice(-MAX_SEEN_EVENTS);
    }
    this.offers.set(record.offerId, next);
  }

  async recordDecision(
    offerId: string,
    decision: RecordedDecision,
    facts?: OfferFacts,
  ): Promise<void> {
    this.enter(
      'recordDecision',
      facts === undefined ? [offerId, decision] : [offerId, decision, facts],
    );
    if (facts !== undefined && facts.offerId !== offerId)
      throw new Error(`facts of offer ${facts.offerId} given with the decision of ${offerId}`);
    const existing = this.offers.get(offerId);
    if (decision.state === 'intended' && !mayReplace(existing?.decision, decision)) {
      throw new DecisionConflictError(`offer ${offerId} already has a settled decision`);
    }
    // As in one DynamoDB write: facts refused (an applied assignment) write no decision either.
    if (facts?.assignment?.state === 'intended' && existing?.assignment?.state === 'applied') {
      throw new DecisionConflictError(`offer ${offerId} already has an applied assignment`);
    }
    this.offers.set(offerId, {
      ...(existing ?? { offerId, updatedAt: decision.decidedAt }),
      decision: structuredClone(decision),
    });
    if (facts !== undefined) this.writeFacts(facts);
  }

  async recordReconcilerEnqueue(offerId: string, at: Date): Promise<void> {
    this.enter('recordReconcilerEnqueue', [offerId, at]);
    const existing = this.offers.get(offerId) ?? { offerId, updatedAt: at.toISOString() };
    const enqueues = (existing.reconciler?.enqueues ?? 0) + 1;
    this.offers.set(offerId, {
      ...existing,
      reconciler: { lastEnqueuedAt: at.toISOString(), enqueues },
    });
  }

  async acquireUnitLease(
    unitKey: string,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<UnitLease> {
    this.enter('acquireUnitLease', [unitKey, owner, now, leaseMs]);
    const item = this.units.get(unitKey) ?? {};
    const held =
      item.leaseOwner !== undefined &&
      item.leaseOwner !== owner &&
      (item.leaseUntil ?? 0) >= now.getTime();
    if (held) return { kind: 'busy', until: item.leaseUntil ?? now.getTime() };
    // A lone offer's lease on an offer with no record yet creates it (as the DynamoDB item is).
    const lone = loneOfferOfUnit(unitKey);
    if (lone !== undefined && !this.offers.has(lone))
      this.offers.set(lone, { offerId: lone, updatedAt: now.toISOString() });
    this.units.set(unitKey, { ...item, leaseOwner: owner, leaseUntil: now.getTime() + leaseMs });
    return {
      kind: 'acquired',
      ...(item.decision !== undefined ? { decision: structuredClone(item.decision) } : {}),
      ...(item.doneEvents?.some((id) => isOwnerOf(owner, id)) === true ? { done: true } : {}),
    };
  }

  async acquireWithIntent(
    unitKey: string,
    owner: string,
    now: Date,
    leaseMs: number,
    decision: RecordedDecision,
  ): Promise<boolean> {
    this.enter('acquireWithIntent', [unitKey, owner, now, leaseMs, decision]);
    const lone = loneOfferOfUnit(unitKey);
    if (lone === undefined || decision.state !== 'intended')
      throw new Error(
        `unit ${unitKey}: only a lone offer's intended decision is written with its lease`,
      );
    const item = this.units.get(unitKey) ?? {};
    const held = item.leaseOwner !== undefined && (item.leaseUntil ?? 0) >= now.getTime();
    if (held || item.decision !== undefined) return false;
    if (!this.offers.has(lone))
      this.offers.set(lone, { offerId: lone, updatedAt: now.toISOString() });
    this.units.set(unitKey, {
      ...item,
      leaseOwner: owner,
      leaseUntil: now.getTime() + leaseMs,
      decision: structuredClone(decision),
    });
    return true;
  }

  async recordUnitDecision(
    unitKey: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options: UnitDecisionOptions = {},
  ): Promise<void> {
    this.enter('recordUnitDecision', [unitKey, owner, now, decision, options]);
    const lone = loneOfferOfUnit(unitKey);
    const facts = options.facts;
    if (facts !== undefined && facts.offerId !== lone)
      throw new Error(`facts of offer ${facts.offerId} given with the decision of unit ${unitKey}`);
    const item = this.units.get(unitKey);
    if (item?.leaseOwner !== owner || (item.leaseUntil ?? 0) <= now.getTime()) {
      // As DynamoUnitStore: a settled write sent again after it landed finds its decision: done.
      const found = item?.decision;
      if (
        decision.state !== 'intended' &&
        isOwnerOf(owner, decision.eventId) &&
        found?.eventId === decision.eventId &&
        found.state === decision.state &&
        found.decidedAt === decision.decidedAt
      )
        return;
      throw new LeaseLostError(`unit ${unitKey}: the lease is not held by this event`);
    }
    if (decision.state === 'intended' && !mayReplace(item.decision, decision)) {
      throw new DecisionConflictError(`unit ${unitKey} already has a settled decision`);
    }
    // As in one DynamoDB write: facts refused (an applied assignment) write no decision either.
    if (
      lone !== undefined &&
      facts?.assignment?.state === 'intended' &&
      this.offers.get(lone)?.assignment?.state === 'applied'
    ) {
      throw new DecisionConflictError(`offer ${lone} already has an applied assignment`);
    }
    const next: UnitItem = { ...item, decision: structuredClone(decision) };
    if (options.releaseLease === true && decision.state !== 'intended') {
      delete next.leaseOwner;
      delete next.leaseUntil;
    }
    this.units.set(unitKey, next);
    if (facts !== undefined) this.writeFacts(facts);
  }

  async releaseUnitLease(
    unitKey: string,
    owner: string,
    options: { done?: string } = {},
  ): Promise<void> {
    this.enter(
      'releaseUnitLease',
      options.done !== undefined ? [unitKey, owner, options] : [unitKey, owner],
    );
    const item = this.units.get(unitKey);
    if (item?.leaseOwner !== owner) return;
    const { leaseOwner: _owner, leaseUntil: _until, ...rest } = item;
    if (options.done !== undefined)
      rest.doneEvents = [...(rest.doneEvents ?? []), options.done].slice(-MAX_DONE_EVENTS);
    this.units.set(unitKey, rest);
  }

  async getUnitDecision(unitKey: string): Promise<RecordedDecision | undefined> {
    this.enter('getUnitDecision', [unitKey]);
    const decision = this.units.get(unitKey)?.decision;
    return decision === undefined ? undefined : structuredClone(decision);
  }
}

/**
 * The decision units' items by unit key. A lone offer's unit (`offer#<id>`) is no item of its own
 * (UnitStore): its lease is kept beside the offer, and its decision is the offer record's, so
 * reading or writing it here reads or writes the offer's (a test seeding `offer#<id>` seeds the
 * offer). Every other unit has its own item.
 */
class UnitItems {
  private readonly own = new Map<string, UnitItem>();
  private readonly loneLeases = new Map<
    string,
    Pick<UnitItem, 'leaseOwner' | 'leaseUntil' | 'doneEvents'>
  >();

  constructor(private readonly offers: Map<string, OfferRecord>) {}

  get(unitKey: string): UnitItem | undefined {
    const lone = loneOfferOfUnit(unitKey);
    if (lone === undefined) return this.own.get(unitKey);
    const lease = this.loneLeases.get(lone);
    const decision = this.offers.get(lone)?.decision;
    if (lease === undefined && decision === undefined) return undefined;
    return { ...lease, ...(decision !== undefined ? { decision } : {}) };
  }

  set(unitKey: string, item: UnitItem): this {
    const lone = loneOfferOfUnit(unitKey);
    if (lone === undefined) {
      this.own.set(unitKey, item);
      return this;
    }
    const { decision, ...lease } = item;
    if (lease.leaseOwner === undefined && lease.doneEvents === undefined)
      this.loneLeases.delete(lone);
    else this.loneLeases.set(lone, lease);
    const existing = this.offers.get(lone);
    if (decision !== undefined)
      this.offers.set(lone, {
        ...(existing ?? { offerId: lone, updatedAt: decision.decidedAt }),
        decision: structuredClone(decision),
      });
    return this;
  }
}

/** The stores' guard: an intended decision replaces no settled one but a dry run's or the one a replay names. */
function mayReplace(current: RecordedDecision | undefined, intended: RecordedDecision): boolean {
  return (
    !isSettled(current) ||
    current?.dryRun === true ||
    (intended.replacesEventId !== undefined && current?.eventId === intended.replacesEventId)
  );
}
