import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DecisionConflictError, LeaseLostError } from '../core/errors';
import type { RecordedDecision, UnitLease, UnitStore } from '../core/ports';
import {
  intendedCondition,
  intendedNames,
  intendedValues,
  isConditionFailure,
} from './dynamo-writes';
import { OFFER_TABLE } from './offer-table';
import { decisionFromItem, decisionItem, loneOfferOfUnit } from './dynamo-decision-item';

/**
 * UnitStore on the offer table: one item per decision unit, `pk = UNIT#<unit key>`, `sk = UNIT`,
 * holding `leaseOwner` and `leaseUntil` (epoch ms) while an event decides the unit, and the
 * unit's `decision` (a lone offer's without the ids its key holds: dynamo-decision-item.ts). Every write is a single-item conditional update (dynalite has no
 * transactions): the lease is taken only when free, run out or already ours, and the decision is
 * written only by the lease's holder before it runs out (a fencing condition), never `intended`
 * over a settled decision (unless a dry run's, which a live connector may be asked to redecide, or
 * the one an operator's replay names).
 */

const UNIT_SK = 'UNIT';
const { partitionKey: PK, sortKey: SK } = OFFER_TABLE;

function unitKey(key: string): Record<string, string> {
  return { [PK]: `UNIT#${key}`, [SK]: UNIT_SK };
}

export class DynamoUnitStore implements UnitStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquireUnitLease(
    key: string,
    owner: string,
    now: Date,
    leaseMs: number,
  ): Promise<UnitLease> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: unitKey(key),
          UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, unitKey = :key',
          ConditionExpression:
            'attribute_not_exists(leaseOwner) OR leaseOwner = :owner OR leaseUntil < :now',
          ExpressionAttributeValues: {
            ':owner': owner,
            ':until': now.getTime() + leaseMs,
            ':now': now.getTime(),
            ':key': key,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const decision = decisionFromItem(result.Attributes?.decision, loneOfferOfUnit(key));
      return decision === undefined ? { kind: 'acquired' } : { kind: 'acquired', decision };
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
    const held = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: unitKey(key), ConsistentRead: true }),
    );
    const until: unknown = held.Item?.leaseUntil;
    // Released between the two calls: busy for no time, so the retry comes at once.
    return { kind: 'busy', until: typeof until === 'number' ? until : now.getTime() };
  }

  async recordUnitDecision(
    key: string,
    owner: string,
    now: Date,
    decision: RecordedDecision,
    options: { releaseLease?: boolean } = {},
  ): Promise<void> {
    const intended = decision.state === 'intended';
    // Only a settled decision ends the lease: an intended one is still to be sent under it.
    const release = options.releaseLease === true && !intended;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: unitKey(key),
          UpdateExpression: release
            ? 'SET #decision = :decision REMOVE leaseOwner, leaseUntil'
            : 'SET #decision = :decision',
          ConditionExpression: intended
            ? `leaseOwner = :owner AND leaseUntil > :now AND (${intendedCondition(decision)})`
            : 'leaseOwner = :owner AND leaseUntil > :now',
          ExpressionAttributeNames: intended
            ? intendedNames(decision)
            : { '#decision': 'decision' },
          ExpressionAttributeValues: {
            ':decision': decisionItem(decision, loneOfferOfUnit(key)),
            ':owner': owner,
            ':now': now.getTime(),
            ...(intended ? intendedValues(decision) : {}),
          },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      const item = (
        await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: unitKey(key), ConsistentRead: true }),
        )
      ).Item;
      const ours =
        item?.leaseOwner === owner &&
        typeof item.leaseUntil === 'number' &&
        item.leaseUntil > now.getTime();
      if (!ours)
        throw new LeaseLostError(`unit ${key}: the lease is not held by this event`, {
          cause: error,
        });
      throw new DecisionConflictError(`unit ${key} already has a settled decision`, {
        cause: error,
      });
    }
  }

  async releaseUnitLease(key: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: unitKey(key),
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error: unknown) {
      // Someone else's lease (ours ran out and was taken): not ours to release.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getUnitDecision(key: string): Promise<RecordedDecision | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: unitKey(key), ConsistentRead: true }),
    );
    return decisionFromItem(result.Item?.decision, loneOfferOfUnit(key));
  }
}
