/**
 * Covers how the DynamoDB stores keep a decision on an item (lambdas/adapters/dynamo-decision-item.ts),
 * on dynalite through the real document client: a lone offer's decision leaves out the ids its
 * key already holds (unitKey, offerIds, answeredVia) on the offer's item (also its unit's), and
 * every read (getOffer, getUnitDecision, acquireUnitLease) gives it back whole; any other decision
 * (a shift's, or a lone unit's copied on another offer) and a decision stored whole before this
 * read as they are; the conditions on `state`, `dryRun` and `eventId` still hold on the compact form.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { DecisionConflictError } from '../../lambdas/core/errors';
import type { RecordedDecision } from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';

const TABLE = 'decision-item-test';
const T0 = new Date('2026-05-01T08:00:00Z');
const LEASE_MS = 60_000;
const table = useOfferTable(TABLE);

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}-0000-4000-8000-000000000000`;

function loneDecision(offerId: string, state: RecordedDecision['state']): RecordedDecision {
  return {
    action: 'decline',
    rule: 'no nursing',
    reason: 'rule "no nursing": care_type matched',
    explanation: ['decline by rule "no nursing" (care_type held)'],
    state,
    eventId: 'event-a',
    decidedAt: T0.toISOString(),
    unitKey: `offer#${offerId}`,
    offerIds: [offerId],
    answeredVia: offerId,
    rulesVersion: 'v1',
  };
}

describe('a decision on its item', () => {
  it("stores a lone offer's decision without the ids its keys hold, and reads it back whole", async () => {
    const offers = new DynamoOfferStore(table.documents(), TABLE);
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const offerId = unique('offer');
    const unitKey = `offer#${offerId}`;
    const intended = loneDecision(offerId, 'intended');

    await units.acquireUnitLease(unitKey, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(unitKey, 'event-a', T0, intended);
    await offers.recordDecision(offerId, intended);

    // The lone unit is the offer's own item (dynamo-unit-store.ts): no unit item of its own.
    expect(await table.item(`UNIT#${unitKey}`, 'UNIT')).toBeUndefined();
    const item = await table.item(`OFFER#${offerId}`, 'OFFER');
    expect(item?.decision).toMatchObject({ ownOffer: true, state: 'intended' });
    expect(item?.decision).not.toHaveProperty('unitKey');
    expect(item?.decision).not.toHaveProperty('offerIds');
    expect(item?.decision).not.toHaveProperty('answeredVia');
    expect((await offers.getOffer(offerId))?.decision).toEqual(intended);
    expect(await units.getUnitDecision(unitKey)).toEqual(intended);
    // The lease's read (ALL_NEW) gives it back whole too: a retry resends exactly this intent.
    expect(await units.acquireUnitLease(unitKey, 'event-a', T0, LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: intended,
    });

    const applied = { ...loneDecision(offerId, 'applied') };
    await units.recordUnitDecision(unitKey, 'event-a', T0, applied, { releaseLease: true });
    await offers.recordDecision(offerId, applied, {
      offerId,
      careType: 'nursing',
      updatedAt: T0.toISOString(),
    });
    expect((await offers.getOffer(offerId))?.decision).toEqual(applied);
    expect(await units.getUnitDecision(unitKey)).toEqual(applied);
  });

  it('still refuses an intended decision over a settled one in the compact form', async () => {
    const offers = new DynamoOfferStore(table.documents(), TABLE);
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const offerId = unique('offer');
    const unitKey = `offer#${offerId}`;
    await units.acquireUnitLease(unitKey, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(unitKey, 'event-a', T0, loneDecision(offerId, 'applied'));
    await offers.recordDecision(offerId, loneDecision(offerId, 'applied'));

    const later = { ...loneDecision(offerId, 'intended'), eventId: 'event-b' };
    await expect(offers.recordDecision(offerId, later)).rejects.toBeInstanceOf(
      DecisionConflictError,
    );
    await expect(units.recordUnitDecision(unitKey, 'event-a', T0, later)).rejects.toBeInstanceOf(
      DecisionConflictError,
    );
    // A replay naming the settled decision's event may replace it (the condition reads eventId).
    await offers.recordDecision(offerId, { ...later, replacesEventId: 'event-a' });
    expect((await offers.getOffer(offerId))?.decision).toEqual({
      ...later,
      replacesEventId: 'event-a',
    });
  });

  it("keeps a shift's decision, and a lone unit's copied on another offer, whole", async () => {
    const offers = new DynamoOfferStore(table.documents(), TABLE);
    const a = unique('offer');
    const b = unique('offer');
    const shift: RecordedDecision = {
      ...loneDecision(a, 'applied'),
      unitKey: 'shift#s1',
      offerIds: [a, b],
    };
    await offers.recordDecision(a, shift);
    // Offer b carries the decision of offer a's lone unit (a copy made by a repair).
    await offers.recordDecision(b, loneDecision(a, 'applied'));

    expect((await table.item(`OFFER#${a}`, 'OFFER'))?.decision).toEqual(shift);
    expect((await table.item(`OFFER#${b}`, 'OFFER'))?.decision).toEqual(loneDecision(a, 'applied'));
    expect((await offers.getOffer(b))?.decision).toEqual(loneDecision(a, 'applied'));
  });

  it('reads a lone offer decision stored whole (before the compact form) as it is', async () => {
    const offers = new DynamoOfferStore(table.documents(), TABLE);
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const offerId = unique('offer');
    const whole = loneDecision(offerId, 'applied');
    await table.documentClient().send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          [OFFER_TABLE.partitionKey]: `OFFER#${offerId}`,
          [OFFER_TABLE.sortKey]: 'OFFER',
          decision: whole,
          updatedAt: T0.toISOString(),
        },
      }),
    );
    await table.documentClient().send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          [OFFER_TABLE.partitionKey]: `UNIT#offer#${offerId}`,
          [OFFER_TABLE.sortKey]: 'UNIT',
          decision: whole,
        },
      }),
    );
    expect((await offers.getOffer(offerId))?.decision).toEqual(whole);
    expect(await units.getUnitDecision(`offer#${offerId}`)).toEqual(whole);
  });
});
