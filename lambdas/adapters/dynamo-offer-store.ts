import {
  type EventClaim,
  type EventCompletion,
  type EventFailure,
  type OfferFacts,
  type OfferRecord,
  type OfferStore,
  type RecordedDecision,
} from '../core/ports';
import { DecisionConflictError } from '../core/errors';
import {
  defined,
  intendedCondition,
  intendedNames,
  intendedValues,
  isConditionFailure,
} from './dynamo-writes';
import {
  FACT_FIELDS,
  factsUpdate,
  guardsAssignment,
  type OfferUpdate,
  updateInput,
  withSeenEvent,
} from './dynamo-offer-facts';
import { OFFER_TABLE } from './offer-table-keys';
import { type Documents, lambdaDocuments } from './dynamo-documents';
import { decisionFromItem, decisionItem } from './dynamo-decision-item';
import { offerKey, trimSeenEvents } from './dynamo-offer-item';

/**
 * OfferStore on one DynamoDB table (keys in OFFER_TABLE):
 *
 * - offer item  `pk = OFFER#<offer id>`, `sk = OFFER`: the offer's facts and its decision (a lone
 *   offer's own decision without the ids the key holds: dynamo-decision-item.ts), no offerId copy;
 *   a lone offer's decision unit is this item too (DynamoUnitStore writes its decision, under
 *   `leaseOwner`/`leaseUntil`, which no write here touches);
 * - event item  `pk = EVENT#<event id>`, `sk = EVENT`: `status` in_progress | done | failed,
 *   `leaseUntil` (epoch ms) while in progress, and `expiresAt` (TTL, epoch s) so de-duplication
 *   items go away; a failed attempt leaves `lastError` (error name, marketplace operation and
 *   status), `failedAt` and `failedAttempts`, and the next attempt may claim it at once. Once
 *   `done`: `eventName`, `outcome`, `offerId`. An `OfferMatched` or a referral event takes no
 *   claim (process-event.ts): it has an event item only once an attempt has failed, marked done
 *   (`completeFailedEvent`) when a retry finishes it. Items written before the decision's text
 *   moved to the unit's record keep, on the event that settled a decision, that text
 *   (`decisionText`) and no TTL (`connector offer` still reads them).
 *
 * The offer item also keeps `events`, the events processed for it in order (the latest
 * MAX_SEEN_EVENTS), and `lastSeenEventId`, so a retried write does not append the same event twice.
 *
 * Only single-item conditional writes: no transactions (dynalite, used locally, has none).
 */

/** How long an event is remembered for de-duplication; far beyond any SNS or SQS redelivery. */
export const EVENT_RETENTION_DAYS = 30;

const EVENT_SK = 'EVENT';

export { DecisionConflictError } from '../core/errors';

const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = OFFER_TABLE;

function eventKey(eventId: string): Record<string, string> {
  return { [PK]: `EVENT#${eventId}`, [SK]: EVENT_SK };
}

export class DynamoOfferStore implements OfferStore {
  constructor(
    private readonly client: Documents,
    private readonly tableName: string,
  ) {}

  async claimEvent(eventId: string, now: Date, leaseMs: number): Promise<EventClaim> {
    try {
      await this.client.update({
        TableName: this.tableName,
        Key: eventKey(eventId),
        UpdateExpression:
          'SET #status = :inProgress, #leaseUntil = :until, claimedAt = :claimedAt, #ttl = :expiresAt',
        // New, failed (given back with its error), or in progress under a lease that has run out
        // (its holder crashed or timed out). An update keeps a failed attempt's error and count.
        ConditionExpression:
          'attribute_not_exists(#pk) OR #status = :failed OR (#status = :inProgress AND #leaseUntil < :now)',
        ExpressionAttributeNames: {
          '#pk': PK,
          '#status': 'status',
          '#leaseUntil': 'leaseUntil',
          '#ttl': TTL,
        },
        ExpressionAttributeValues: {
          ':inProgress': 'in_progress',
          ':failed': 'failed',
          ':now': now.getTime(),
          ':until': now.getTime() + leaseMs,
          ':claimedAt': now.toISOString(),
          ':expiresAt': expiresAt(now),
        },
      });
      return 'claimed';
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.client.get({
      TableName: this.tableName,
      Key: eventKey(eventId),
      ConsistentRead: true,
    });
    // Gone between the two calls (released or expired): report busy and let the retry claim it.
    return existing.Item?.status === 'done' ? 'done' : 'busy';
  }

  async completeEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void> {
    await this.client.update(this.completion(eventId, now, outcome));
  }

  async completeFailedEvent(eventId: string, now: Date, outcome: EventCompletion): Promise<void> {
    // Read first: most retried events (a shift's offers that waited for their unit) left no
    // failure, and a read costs a fifth of a refused conditional write.
    const existing = await this.client.get({
      TableName: this.tableName,
      Key: eventKey(eventId),
      ConsistentRead: true,
    });
    if (existing.Item?.status !== 'failed') return;
    const update = this.completion(eventId, now, outcome);
    try {
      await this.client.update({
        ...update,
        ConditionExpression: '#status = :failed',
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':failed': 'failed' },
      });
    } catch (error: unknown) {
      // Done by another attempt meanwhile, claimed by an older version, or gone with its TTL.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The write that marks an event done with its outcome (its failure history, if any, kept). */
  private completion(eventId: string, now: Date, outcome: EventCompletion) {
    const values: Record<string, unknown> = {
      ':done': 'done',
      ':completedAt': now.toISOString(),
      ':eventName': outcome.eventName,
      ':outcome': outcome.outcome,
    };
    let set =
      '#status = :done, completedAt = :completedAt, eventName = :eventName, outcome = :outcome';
    if (outcome.offerId !== undefined) {
      set += ', offerId = :offerId';
      values[':offerId'] = outcome.offerId;
    }
    set += ', #ttl = :expiresAt';
    values[':expiresAt'] = expiresAt(now);
    return {
      TableName: this.tableName,
      Key: eventKey(eventId),
      UpdateExpression: `SET ${set} REMOVE #leaseUntil`,
      ExpressionAttributeNames: { '#status': 'status', '#ttl': TTL, '#leaseUntil': 'leaseUntil' },
      ExpressionAttributeValues: values,
    };
  }

  async releaseEvent(eventId: string, failure?: EventFailure): Promise<void> {
    try {
      if (failure === undefined) {
        await this.client.delete({
          TableName: this.tableName,
          Key: eventKey(eventId),
          // Never forget an event that did complete.
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress' },
        });
        return;
      }
      // Claimed or not (an OfferMatched takes no claim): the failure is kept unless it is done.
      await this.client.update({
        TableName: this.tableName,
        Key: eventKey(eventId),
        UpdateExpression:
          'SET #status = :failed, lastError = :error, failedAt = :at, #ttl = if_not_exists(#ttl, :expiresAt) ADD failedAttempts :one REMOVE #leaseUntil',
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :done',
        ExpressionAttributeNames: { '#status': 'status', '#leaseUntil': 'leaseUntil', '#ttl': TTL },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':failed': 'failed',
          ':error': defined(failure),
          ':at': failure.at,
          ':expiresAt': expiresAt(new Date(failure.at)),
          ':one': 1,
        },
      });
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The event item as the operator CLI reads it (status, outcome, last error), or undefined. */
  async getEventRecord(eventId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.get({
      TableName: this.tableName,
      Key: eventKey(eventId),
      ConsistentRead: true,
    });
    if (result.Item === undefined) return undefined;
    return Object.fromEntries(
      Object.entries(result.Item).filter(([name]) => name !== PK && name !== SK),
    );
  }

  async getOffer(offerId: string): Promise<OfferRecord | undefined> {
    const result = await this.client.get({
      TableName: this.tableName,
      Key: offerKey(offerId),
      ConsistentRead: true,
    });
    const item = result.Item;
    if (item === undefined) return undefined;
    const record: Record<string, unknown> = { offerId, updatedAt: item.updatedAt };
    for (const field of FACT_FIELDS) {
      if (item[field] !== undefined) record[field] = item[field];
    }
    const decision = decisionFromItem(item.decision, offerId);
    if (decision !== undefined) record.decision = decision;
    if (Array.isArray(item.events)) record.events = item.events;
    return record as unknown as OfferRecord;
  }

  async recordOfferFacts(record: OfferFacts): Promise<void> {
    await this.writeOffer(record, factsUpdate(record));
  }

  /**
   * Writes `update` on the offer of `facts`, with its seen event appended in the same write. The
   * append's condition fails when the event is the last one appended (a retried write), and so does
   * the assignment guard's: the update is then written alone, which tells the two apart.
   */
  private async writeOffer(facts: OfferFacts, update: OfferUpdate): Promise<void> {
    const offerId = facts.offerId;
    try {
      if (facts.seenEvent !== undefined) {
        try {
          const result = await this.client.update({
            TableName: this.tableName,
            Key: offerKey(offerId),
            ...updateInput(withSeenEvent(update, facts.seenEvent)),
            ReturnValues: 'UPDATED_NEW',
          });
          const events: unknown = result.Attributes?.events;
          await trimSeenEvents(
            this.client,
            this.tableName,
            offerId,
            Array.isArray(events) ? events.length : 0,
          );
          return;
        } catch (error: unknown) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      await this.client.update({
        TableName: this.tableName,
        Key: offerKey(offerId),
        ...updateInput(update),
      });
    } catch (error: unknown) {
      if (guardsAssignment(facts) && isConditionFailure(error)) {
        throw new DecisionConflictError(`offer ${offerId} already has an applied assignment`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async recordDecision(
    offerId: string,
    decision: RecordedDecision,
    facts?: OfferFacts,
  ): Promise<void> {
    if (facts !== undefined && facts.offerId !== offerId)
      throw new Error(`facts of offer ${facts.offerId} given with the decision of ${offerId}`);
    if (facts !== undefined && decision.state !== 'intended') {
      // A settled decision is written unconditionally: its facts and seen event go with it.
      const update = factsUpdate(facts);
      update.sets.push('#decision = :decision');
      update.names['#decision'] = 'decision';
      update.values[':decision'] = decisionItem(decision, offerId);
      await this.writeOffer(facts, update);
      return;
    }
    await this.writeDecision(offerId, decision);
    if (facts !== undefined) await this.recordOfferFacts(facts);
  }

  private async writeDecision(offerId: string, decision: RecordedDecision): Promise<void> {
    const intended = decision.state === 'intended';
    // An intended decision never replaces a settled (applied or resolved) one, except a dry run's
    // (a live connector asked to decide those again; see isFinal) and the one a replay names.
    try {
      await this.client.update({
        TableName: this.tableName,
        Key: offerKey(offerId),
        UpdateExpression:
          'SET #decision = :decision, updatedAt = if_not_exists(updatedAt, :decidedAt), createdAt = if_not_exists(createdAt, :decidedAt)',
        ...(intended ? { ConditionExpression: intendedCondition(decision) } : {}),
        ExpressionAttributeNames: intended ? intendedNames(decision) : { '#decision': 'decision' },
        ExpressionAttributeValues: {
          ':decision': decisionItem(decision, offerId),
          ':decidedAt': decision.decidedAt,
          ...(intended ? intendedValues(decision) : {}),
        },
      });
    } catch (error: unknown) {
      if (isConditionFailure(error)) {
        throw new DecisionConflictError(`offer ${offerId} already has a settled decision`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async recordReconcilerEnqueue(offerId: string, at: Date): Promise<void> {
    const when = at.toISOString();
    await this.client
      .update({
        TableName: this.tableName,
        Key: offerKey(offerId),
        // One atomic counter: two reconciler runs at once both count.
        UpdateExpression:
          'SET #reconciler = :fresh, updatedAt = if_not_exists(updatedAt, :at), createdAt = if_not_exists(createdAt, :at)',
        ConditionExpression: 'attribute_not_exists(#reconciler)',
        ExpressionAttributeNames: { '#reconciler': 'reconciler' },
        ExpressionAttributeValues: {
          ':fresh': { lastEnqueuedAt: when, enqueues: 1 },
          ':at': when,
        },
      })
      .catch(async (error: unknown) => {
        if (!isConditionFailure(error)) throw error;
        await this.client.update({
          TableName: this.tableName,
          Key: offerKey(offerId),
          UpdateExpression: 'SET #reconciler.lastEnqueuedAt = :at ADD #reconciler.enqueues :one',
          ExpressionAttributeNames: { '#reconciler': 'reconciler' },
          ExpressionAttributeValues: { ':at': when, ':one': 1 },
        });
      });
  }
}

function expiresAt(now: Date): number {
  return Math.floor(now.getTime() / 1000) + EVENT_RETENTION_DAYS * 24 * 60 * 60;
}

/**
 * The store on a client of its own (dynamo-documents.ts), as the reconciler builds it on its first
 * read (deferred-offer-store.ts).
 */
export function dynamoOfferStore(tableName: string): DynamoOfferStore {
  return new DynamoOfferStore(lambdaDocuments(), tableName);
}
