import type { AcceptCounter, CapPeriod, Reservation } from '../core/caps';
import { isConditionFailure } from './dynamo-writes';
import { OFFER_TABLE } from './offer-table-keys';
import type { Documents } from './dynamo-documents';

/**
 * AcceptCounter on the offer table: one item per period, `pk = COUNTER#<period key>`,
 * `sk = COUNTER`, with `accepts` (a number) and `units` (a string set of the decision units
 * counted). A reservation is one conditional update per period (dynalite has no transactions):
 * it adds the unit only while the count is under the limit and the unit is not counted yet, so
 * concurrent deciders never pass the limit and a retried unit never counts twice. Counter items
 * expire (TTL) long after their period.
 */

const COUNTER_SK = 'COUNTER';
const RETENTION_S = 60 * 24 * 60 * 60;
const { partitionKey: PK, sortKey: SK, ttlAttribute: TTL } = OFFER_TABLE;

const counterKey = (period: string) => ({ [PK]: `COUNTER#${period}`, [SK]: COUNTER_SK });

export class DynamoAcceptCounter implements AcceptCounter {
  constructor(
    private readonly client: Documents,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reserve(unitKey: string, periods: readonly CapPeriod[]): Promise<Reservation> {
    const taken: string[] = [];
    for (const period of periods) {
      if (await this.take(unitKey, period)) {
        taken.push(period.key);
        continue;
      }
      if (await this.holds(unitKey, period.key)) continue;
      // Full: give back what this call took, so a unit counts on every period or on none.
      await this.release(unitKey, taken);
      return { ok: false, period };
    }
    return { ok: true };
  }

  async release(unitKey: string, periodKeys: readonly string[]): Promise<void> {
    for (const key of periodKeys) {
      try {
        await this.client.update({
          TableName: this.tableName,
          Key: counterKey(key),
          UpdateExpression: 'ADD accepts :minusOne DELETE units :unit',
          ConditionExpression: 'contains(units, :member)',
          ExpressionAttributeValues: {
            ':minusOne': -1,
            ':unit': new Set([unitKey]),
            ':member': unitKey,
          },
        });
      } catch (error: unknown) {
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  /** Counts the unit on the period when there is room and it is not counted yet. */
  private async take(unitKey: string, period: CapPeriod): Promise<boolean> {
    try {
      await this.client.update({
        TableName: this.tableName,
        Key: counterKey(period.key),
        UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :expires) ADD accepts :one, units :unit',
        ConditionExpression:
          '(attribute_not_exists(accepts) OR accepts < :limit) AND (attribute_not_exists(units) OR NOT contains(units, :member))',
        ExpressionAttributeNames: { '#ttl': TTL },
        ExpressionAttributeValues: {
          ':one': 1,
          ':unit': new Set([unitKey]),
          ':member': unitKey,
          ':limit': period.limit,
          ':expires': Math.floor(this.now().getTime() / 1000) + RETENTION_S,
        },
      });
      return true;
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async holds(unitKey: string, periodKey: string): Promise<boolean> {
    const item = (
      await this.client.get({
        TableName: this.tableName,
        Key: counterKey(periodKey),
        ConsistentRead: true,
      })
    ).Item;
    const units: unknown = item?.units;
    return units instanceof Set && units.has(unitKey);
  }
}
