import { DecisionConflictError, LeaseLostError } from '../core/errors';
import {
  MAX_DONE_EVENTS,
  type RecordedDecision,
  type SeenEvent,
  type UnitDecisionOptions,
  type UnitLease,
  type UnitStore,
} from '../core/ports';
import { isOwnerOf, LONE_UNIT_PREFIX, loneOfferOfUnit } from '../core/unit-decision';
import {
  intendedCondition,
  intendedNames,
  intendedValues,
  isConditionFailure,
  trimOldest,
} from './dynamo-writes';
import { OFFER_TABLE } from './offer-table-keys';
import type { Documents } from './dynamo-documents';
import { decisionFromItem, decisionItem } from './dynamo-decision-item';
import { factsUpdate, type OfferUpdate, updateInput, withSeenEvent } from './dynamo-offer-facts';
import { offerKey, trimSeenEvents } from './dynamo-offer-item';

/**
 * UnitStore on the offer table. A shift's (or referral's, or outbox offer's) unit is one item,
 * `pk = UNIT#<unit key>`, `sk = UNIT`; a lone offer's unit (`offer#<id>`) is the offer's own item
 * (`OFFER#<id>`, dynamo-offer-item.ts), so its decision is written once, on the offer, facts and
 * seen event included: 2 writes per lone OfferMatched answered (its lease taken with its intent,
 * acquireWithIntent; then applied, the lease given back), 3 when the lease is taken first. The item
 * holds `leaseOwner` (an attempt at an event: attemptOwner) and `leaseUntil` (epoch ms) while an
 * event decides the unit, and the unit's `decision`, its text included (a lone offer's without the
 * ids its key holds: dynamo-decision-item.ts). A lease given back done appends the finished event's
 * id to `doneEvents` (a referral's events), trimmed to the latest MAX_DONE_EVENTS.
 *
 * Every write is a single-item conditional update (dynalite has no transactions): the lease is
 * taken only when free, run out or already ours, and the decision is written only by the lease's
 * holder before it runs out (a fencing condition), never `intended` over a settled decision
 * (unless a dry run's, which a live connector may be asked to redecide, or the one an operator's
 * replay names). A lease taken on an offer item not yet written creates it with `createdAt` and
 * `updatedAt`, so it reads as an offer record with no facts and no decision (getOffer, the
 * reconciler and the CLI need no more); it carries no `unitKey` attribute (nothing reads it).
 *
 * Upgrading from the layout before (a lone unit's own item `UNIT#offer#<id>`, its decision copied
 * to the offer item after each unit write):
 * - A settled decision whose copy never reached the offer (a crash, or a throttled write, between
 *   the two) leaves the offer's copy `intended`. When a lease finds a lone offer's decision
 *   `intended`, the old unit item is read once (settledBefore): the same event's settled decision
 *   there wins, and the event ends as already decided, completing the offer's copy. The read is
 *   only ever made for an intent, never on the common path.
 * - For the minutes a deploy runs both versions, an old worker leases `UNIT#offer#<id>` and a new
 *   one `OFFER#<id>`, so an event of each, handled at the same moment for the same lone offer, do
 *   not exclude each other. Both versions write every decision on the offer item, and both refuse
 *   an `intended` there over a settled one before any call, so once either has settled the offer
 *   the other ends its event as already decided (or fails its intent's write and, retried, finds
 *   it decided) without calling. Two events deciding at the very same time may both call: the
 *   marketplace takes one answer per match and refuses the second, which its worker reads and
 *   records as `applied` (its answer was taken) or `resolved` (another was; its accept cap given
 *   back). Never two answers taken, never an accept and a decline; but the records may credit the
 *   wrong one (an old worker's copy can replace a new worker's intent on the offer item, which has
 *   no fence in the old version), a `review` may be notified twice, and an `ignore`, which records no
 *   intent, may replace the other's settled decision on the record.
 * - A rollback is the same race the other way: the old version reads settled decisions off the
 *   offer item (getOffer, before its lease), ignores the lease attributes there, and judges an
 *   intent of the new version afresh.
 * Old `UNIT#offer#<id>` items are otherwise no longer read or written.
 */

const UNIT_SK = 'UNIT';
/**
 * A lone offer's lease taken on its offer item, `:owner` until `:until`, the item created (with its
 * times, at `:at`) if it is new.
 */
const LONE_LEASE_SET =
  'leaseOwner = :owner, leaseUntil = :until, createdAt = if_not_exists(createdAt, :at), updatedAt = if_not_exists(updatedAt, :at)';
const { partitionKey: PK, sortKey: SK } = OFFER_TABLE;

/** The key of the item holding the unit: the offer's own for a lone offer, else the unit's. */
function itemKey(key: string): Record<string, string> {
  const lone = loneOfferOfUnit(key);
  return lone === undefined ? { [PK]: `UNIT#${key}`, [SK]: UNIT_SK } : offerKey(lone);
}

export class DynamoUnitStore implements UnitStore {
  constructor(
    private readonly client: Documents,
    private readonly tableName: string,
  ) {}

  async acquireUnitLease(
    key: string,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<UnitLease> {
    const lone = loneOfferOfUnit(key);
    try {
      const result = await this.client.update({
        TableName: this.tableName,
        Key: itemKey(key),
        UpdateExpression:
          lone === undefined
            ? 'SET leaseOwner = :owner, leaseUntil = :until, unitKey = :key'
            : `SET ${LONE_LEASE_SET}`,
        ConditionExpression:
          'attribute_not_exists(leaseOwner) OR leaseOwner = :owner OR leaseUntil < :now',
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': now.getTime() + leaseMs,
          ':now': now.getTime(),
          ...(lone === undefined ? { ':key': key } : { ':at': now.toISOString() }),
        },
        ReturnValues: 'ALL_NEW',
      });
      const found = decisionFromItem(result.Attributes?.decision, lone);
      const decision =
        lone !== undefined && found?.state === 'intended'
          ? await this.settledBefore(lone, found)
          : found;
      const doneEvents: unknown = result.Attributes?.doneEvents;
      const done =
        Array.isArray(doneEvents) &&
        doneEvents.some((id) => typeof id === 'string' && isOwnerOf(owner, id));
      return {
        kind: 'acquired',
        ...(decision !== undefined ? { decision } : {}),
        ...(done ? { done: true } : {}),
      };
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
    const held = await this.read(key);
    const until: unknown = held?.leaseUntil;
    // Released between the two calls: busy for no time, so the retry comes at once.
    return { kind: 'busy', until: typeof until === 'number' ? until : now.getTime() };
  }

  async acquireWithIntent(
    key: string,
    owner: string,
    now: Date,
    leaseMs: number,
    decision: RecordedDecision,
  ): Promise<boolean> {
    const lone = loneOfferOfUnit(key);
    if (lone === undefined || decision.state !== 'intended')
      throw new Error(
        `unit ${key}: only a lone offer's intended decision is written with its lease`,
      );
    try {
      await this.client.update({
        TableName: this.tableName,
        Key: itemKey(key),
        UpdateExpression: `SET ${LONE_LEASE_SET}, #decision = :decision`,
        ConditionExpression:
          '(attribute_not_exists(leaseOwner) OR leaseUntil < :now) AND attribute_not_exists(#decision)',
        ExpressionAttributeNames: { '#decision': 'decision' },
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': now.getTime() + leaseMs,
          ':now': now.getTime(),
          ':decision': decisionItem(decision, lone),
          ':at': now.toISOString(),
        },
      });
      return true;
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /**
   * A lone offer's `intended` decision, or the same event's settled decision when the layout
   * before this one holds it. That layout wrote a unit's decision on its own item
   * (`UNIT#offer#<id>`) first and copied it to the offer after, so a crash between the two left
   * the offer's copy `intended` while the unit was settled; treated as a crashed intent, it could
   * be judged again and sent. Read only for an intent (rare: a crash, or a young intent in flight),
   * never on the common path; the caller then ends the event as already decided and completes the
   * offer's copy.
   */
  private async settledBefore(
    offerId: string,
    intent: RecordedDecision,
  ): Promise<RecordedDecision> {
    const old = await this.client.get({
      TableName: this.tableName,
      Key: { [PK]: `UNIT#${LONE_UNIT_PREFIX}${offerId}`, [SK]: UNIT_SK },
      ConsistentRead: true,
    });
    const before = decisionFromItem(old.Item?.decision, offerId);
    const settled = before !== undefined && before.state !== 'intended';
    return settled && before.eventId === intent.eventId ? before : intent;
  }

  async recordUnitDecision(
    key: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options: UnitDecisionOptions = {},
  ): Promise<void> {
    const lone = loneOfferOfUnit(key);
    const facts = options.facts;
    if (facts !== undefined && facts.offerId !== lone)
      throw new Error(`facts of offer ${facts.offerId} given with the decision of unit ${key}`);
    const intended = decision.state === 'intended';
    // Only a settled decision ends the lease: an intended one is still to be sent under it.
    const release = options.releaseLease === true && !intended;
    // The facts' SETs and guard (an applied assignment), then the decision and its fence.
    const update: OfferUpdate =
      facts === undefined
        ? { sets: [], names: {}, values: {}, conditions: [] }
        : factsUpdate(facts);
    update.sets.push('#decision = :decision');
    update.names['#decision'] = 'decision';
    update.values[':decision'] = decisionItem(decision, lone);
    update.values[':owner'] = owner;
    update.values[':now'] = now.getTime();
    update.conditions.unshift('leaseOwner = :owner AND leaseUntil > :now');
    if (intended) {
      update.conditions.push(`(${intendedCondition(decision)})`);
      Object.assign(update.names, intendedNames(decision));
      Object.assign(update.values, intendedValues(decision));
    }
    await this.writeDecision(key, owner, now, decision, update, release, facts?.seenEvent);
  }

  /**
   * Writes the decision's update, with the seen event appended when given. A refused write is
   * told apart by reading the item once: our own settled decision already there (the same write
   * landed, gave the lease back, and was sent again: done), the lease lost (LeaseLostError), the
   * seen event already appended (written again without the append, as DynamoOfferStore's
   * writeOffer does), else a settled decision or an applied assignment is in the way
   * (DecisionConflictError).
   */
  private async writeDecision(
    key: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    update: OfferUpdate,
    release: boolean,
    seen: SeenEvent | undefined,
  ): Promise<void> {
    const send = async (withUpdate: OfferUpdate) => {
      const input = updateInput(withUpdate);
      return this.client.update({
        TableName: this.tableName,
        Key: itemKey(key),
        ...input,
        UpdateExpression: release
          ? `${input.UpdateExpression} REMOVE leaseOwner, leaseUntil`
          : input.UpdateExpression,
        ...(seen !== undefined ? { ReturnValues: 'UPDATED_NEW' } : {}),
      });
    };
    const lone = loneOfferOfUnit(key);
    let appendSeen = seen !== undefined;
    for (;;) {
      try {
        const result = await send(
          appendSeen && seen !== undefined ? withSeenEvent(update, seen) : update,
        );
        const events: unknown = result.Attributes?.events;
        if (appendSeen && lone !== undefined && Array.isArray(events))
          await trimSeenEvents(this.client, this.tableName, lone, events.length);
        return;
      } catch (error: unknown) {
        if (!isConditionFailure(error)) throw error;
        const item = await this.read(key);
        // A settled write that gave the lease back, landed, and was sent again (the SDK retries a
        // request whose answer was lost) finds its own decision there: it is done. Only for the
        // event's own decision: another event settling an earlier event's intent writes the same
        // decision, and one of two such events has lost its lease.
        if (
          decision.state !== 'intended' &&
          isOwnerOf(owner, decision.eventId) &&
          isSameDecision(item?.decision, lone, decision)
        )
          return;
        const ours =
          item?.leaseOwner === owner &&
          typeof item.leaseUntil === 'number' &&
          item.leaseUntil > now.getTime();
        if (!ours)
          throw new LeaseLostError(`unit ${key}: the lease is not held by this event`, {
            cause: error,
          });
        if (appendSeen && seen !== undefined && item.lastSeenEventId === seen.eventId) {
          appendSeen = false;
          continue;
        }
        throw new DecisionConflictError(
          `unit ${key} already has a settled decision (or an applied assignment)`,
          { cause: error },
        );
      }
    }
  }

  async releaseUnitLease(
    key: string,
    owner: string,
    options: { done?: string } = {},
  ): Promise<void> {
    const done = options.done;
    let result;
    try {
      result = await this.client.update({
        TableName: this.tableName,
        Key: itemKey(key),
        UpdateExpression:
          done !== undefined
            ? 'SET doneEvents = list_append(if_not_exists(doneEvents, :none), :done) REMOVE leaseOwner, leaseUntil'
            : 'REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :owner',
        ExpressionAttributeValues: {
          ':owner': owner,
          ...(done !== undefined ? { ':none': [], ':done': [done] } : {}),
        },
        ...(done !== undefined ? { ReturnValues: 'UPDATED_NEW' } : {}),
      });
    } catch (error: unknown) {
      // Someone else's lease (ours ran out and was taken): not ours to release.
      if (!isConditionFailure(error)) throw error;
      return;
    }
    const doneEvents: unknown = result.Attributes?.doneEvents;
    if (Array.isArray(doneEvents))
      await trimOldest(
        this.client,
        { tableName: this.tableName, key: itemKey(key), attribute: 'doneEvents' },
        doneEvents.length,
        MAX_DONE_EVENTS,
      );
  }

  async getUnitDecision(key: string): Promise<RecordedDecision | undefined> {
    return decisionFromItem((await this.read(key))?.decision, loneOfferOfUnit(key));
  }

  private async read(key: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.get({
      TableName: this.tableName,
      Key: itemKey(key),
      ConsistentRead: true,
    });
    return result.Item;
  }
}

/** Whether an item's stored decision is `decision` as this event wrote it (event, state and time). */
function isSameDecision(
  stored: unknown,
  offerId: string | undefined,
  decision: RecordedDecision,
): boolean {
  const found = decisionFromItem(stored, offerId);
  return (
    found !== undefined &&
    found.eventId === decision.eventId &&
    found.state === decision.state &&
    found.decidedAt === decision.decidedAt
  );
}
