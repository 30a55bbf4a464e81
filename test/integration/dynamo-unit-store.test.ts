/**
 * Covers the decision-unit lease and decision (DynamoUnitStore) against dynalite through the real
 * AWS SDK document client, and the same contract against the in-memory twin the unit tests use,
 * so the fake cannot drift: a lease is taken only when free, run out or already the taker's; two
 * takers racing with real conditional writes get one lease; the decision is written only by the
 * holder before its lease runs out (fencing), never `intended` over a settled decision; release
 * only by the holder; and the item layout. How the use case drives these calls is in
 * test/unit/decide-unit.test.ts, decide-unit-outcomes.test.ts and decision-race.test.ts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { DecisionConflictError, LeaseLostError } from '../../lambdas/core/errors';
import { MAX_DONE_EVENTS, type RecordedDecision, type UnitStore } from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';
import { MemoryOfferStore } from '../support/offer-memory-store';

const TABLE = 'units-test';
const LEASE_MS = 150_000;
const T0 = new Date('2026-05-01T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const table = useOfferTable(TABLE);

let counter = 0;
const unique = (prefix: string) => `${prefix}#${++counter}`;

function decision(
  state: RecordedDecision['state'],
  overrides: Partial<RecordedDecision> = {},
): RecordedDecision {
  return {
    action: 'decline',
    rule: 'no nursing',
    reason: 'shift of 2 offers: decline because offer b gave decline',
    state,
    eventId: 'event-a',
    decidedAt: T0.toISOString(),
    unitKey: 'shift#s',
    offers: [
      { offerId: 'a', action: 'accept', rule: 'psw', reason: 'rule "psw": care_type matched' },
      {
        offerId: 'b',
        action: 'decline',
        rule: 'no nursing',
        reason: 'rule "no nursing": care_type matched',
      },
    ],
    offerIds: ['a', 'b'],
    ...overrides,
  };
}

describe.each([
  ['DynamoUnitStore on dynalite', () => new DynamoUnitStore(table.documents(), TABLE) as UnitStore],
  ['MemoryOfferStore (unit-test twin)', () => new MemoryOfferStore() as UnitStore],
])('%s', (_name, makeStore) => {
  let units: UnitStore;
  beforeEach(() => {
    units = makeStore();
  });

  it('grants a free unit, refuses another owner until the lease runs out, then lets it take over', async () => {
    const key = unique('shift');
    expect(await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS)).toEqual({
      kind: 'acquired',
    });
    expect(await units.acquireUnitLease(key, 'event-b', at(LEASE_MS - 1), LEASE_MS)).toEqual({
      kind: 'busy',
      until: T0.getTime() + LEASE_MS,
    });
    expect(await units.acquireUnitLease(key, 'event-b', at(LEASE_MS + 1), LEASE_MS)).toEqual({
      kind: 'acquired',
    });
    expect(await units.acquireUnitLease(key, 'event-a', at(LEASE_MS + 2), LEASE_MS)).toMatchObject({
      kind: 'busy',
    });
  });

  it('lets the holder take its own lease again (a redelivery of the same event) and returns the unit’s decision', async () => {
    const key = unique('offer');
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(key, 'event-a', at(10), decision('intended'));
    expect(await units.acquireUnitLease(key, 'event-a', at(20), LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: decision('intended'),
    });
  });

  it('writes the decision only while the writer holds an unexpired lease (fencing)', async () => {
    const key = unique('shift');
    await expect(
      units.recordUnitDecision(key, 'event-a', T0, decision('intended')),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await expect(
      units.recordUnitDecision(key, 'event-b', at(1), decision('intended')),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(
      units.recordUnitDecision(key, 'event-a', at(LEASE_MS), decision('intended')),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await units.recordUnitDecision(key, 'event-a', at(LEASE_MS - 1), decision('intended'));
    expect(await units.getUnitDecision(key)).toEqual(decision('intended'));
  });

  it('never writes an intended decision over a settled one, while applied and resolved may follow an intent', async () => {
    for (const settled of ['applied', 'resolved'] as const) {
      const key = unique('offer');
      await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
      await units.recordUnitDecision(key, 'event-a', at(1), decision('intended'));
      await units.recordUnitDecision(
        key,
        'event-a',
        at(2),
        decision(settled, settled === 'resolved' ? { resolution: 'expired' } : {}),
      );
      await expect(
        units.recordUnitDecision(
          key,
          'event-a',
          at(3),
          decision('intended', { eventId: 'event-a2' }),
        ),
      ).rejects.toBeInstanceOf(DecisionConflictError);
      expect((await units.getUnitDecision(key))?.state).toBe(settled);
    }
  });

  it('lets an intended decision replace a settled dry-run decision (a live connector asked to redecide)', async () => {
    const key = unique('offer');
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(key, 'event-a', at(1), decision('applied', { dryRun: true }));
    await units.recordUnitDecision(
      key,
      'event-a',
      at(2),
      decision('intended', { eventId: 'event-live' }),
    );
    expect(await units.getUnitDecision(key)).toMatchObject({
      state: 'intended',
      eventId: 'event-live',
    });
  });

  it('releases only the holder’s lease, so a released unit is free at once', async () => {
    const key = unique('shift');
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await units.releaseUnitLease(key, 'event-b');
    expect(await units.acquireUnitLease(key, 'event-b', at(1), LEASE_MS)).toMatchObject({
      kind: 'busy',
    });
    await units.releaseUnitLease(key, 'event-a');
    expect(await units.acquireUnitLease(key, 'event-b', at(2), LEASE_MS)).toEqual({
      kind: 'acquired',
    });
    await units.releaseUnitLease(unique('never-leased'), 'event-a');
  });

  it('gives the lease back with a settled decision when asked, never with an intended one', async () => {
    const key = unique('shift');
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(key, 'event-a', at(1), decision('intended'), {
      releaseLease: true,
    });
    // Still held: an intended decision is yet to be sent under the lease.
    expect(await units.acquireUnitLease(key, 'event-b', at(2), LEASE_MS)).toMatchObject({
      kind: 'busy',
    });
    await units.recordUnitDecision(key, 'event-a', at(3), decision('applied'), {
      releaseLease: true,
    });
    expect(await units.acquireUnitLease(key, 'event-b', at(4), LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: decision('applied'),
    });
    // The lease is event-b's now: event-a can no longer write another decision...
    await expect(
      units.recordUnitDecision(key, 'event-a', at(5), decision('resolved'), { releaseLease: true }),
    ).rejects.toThrow(LeaseLostError);
    // ...while the same write sent again (an SDK retry of one that landed) finds it done.
    await expect(
      units.recordUnitDecision(key, 'event-a', at(5), decision('applied'), { releaseLease: true }),
    ).resolves.toBeUndefined();
    expect(await units.getUnitDecision(key)).toEqual(decision('applied'));
  });

  it('remembers the events its holders finished, the latest MAX_DONE_EVENTS, and tells any attempt at one', async () => {
    const key = unique('referral');
    // Not the holder: nothing released, nothing remembered.
    await units.acquireUnitLease(key, 'event-0#a', T0, LEASE_MS);
    await units.releaseUnitLease(key, 'event-x#b', { done: 'event-x' });
    await units.releaseUnitLease(key, 'event-0#a');
    expect(await units.acquireUnitLease(key, 'event-x#c', at(1), LEASE_MS)).toEqual({
      kind: 'acquired',
    });
    await units.releaseUnitLease(key, 'event-x#c');
    const events = Array.from({ length: MAX_DONE_EVENTS + 2 }, (_, i) => `event-${i + 1}`);
    for (const [i, event] of events.entries()) {
      expect(await units.acquireUnitLease(key, `${event}#first`, at(10 + i), LEASE_MS)).toEqual({
        kind: 'acquired',
      });
      await units.releaseUnitLease(key, `${event}#first`, { done: event });
    }
    // The two oldest are forgotten; the latest ten are told done to another attempt at them (and
    // to the event itself, a lease owner of versions before), which still gets the lease.
    for (const event of events.slice(0, 2)) {
      expect(await units.acquireUnitLease(key, `${event}#again`, at(100), LEASE_MS)).toEqual({
        kind: 'acquired',
      });
      await units.releaseUnitLease(key, `${event}#again`);
    }
    for (const owner of events.slice(2).flatMap((event) => [`${event}#again`, event])) {
      expect(await units.acquireUnitLease(key, owner, at(200), LEASE_MS)).toEqual({
        kind: 'acquired',
        done: true,
      });
      await units.releaseUnitLease(key, owner);
    }
    // Another event whose id another's starts with is not told done.
    expect(await units.acquireUnitLease(key, 'event-1', at(300), LEASE_MS)).toEqual({
      kind: 'acquired',
    });
  });

  it('gives one lease to many takers racing for a free unit', async () => {
    const key = unique('shift');
    const owners = Array.from({ length: 8 }, (_, i) => `event-${i}`);
    const results = await Promise.all(
      owners.map((owner) => units.acquireUnitLease(key, owner, T0, LEASE_MS)),
    );
    expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
  });
});

describe('DynamoUnitStore item layout', () => {
  it('keeps the unit on its own item beside offers and events, with the lease gone once released', async () => {
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const key = unique('shift');
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    const leased = await table.documentClient().send(
      new GetCommand({
        TableName: TABLE,
        Key: { [OFFER_TABLE.partitionKey]: `UNIT#${key}`, [OFFER_TABLE.sortKey]: 'UNIT' },
      }),
    );
    expect(leased.Item).toMatchObject({
      leaseOwner: 'event-a',
      leaseUntil: T0.getTime() + LEASE_MS,
      unitKey: key,
    });
    await units.recordUnitDecision(key, 'event-a', at(1), decision('applied'));
    await units.releaseUnitLease(key, 'event-a');
    const released = await table.documentClient().send(
      new GetCommand({
        TableName: TABLE,
        Key: { [OFFER_TABLE.partitionKey]: `UNIT#${key}`, [OFFER_TABLE.sortKey]: 'UNIT' },
      }),
    );
    expect(released.Item).not.toHaveProperty('leaseOwner');
    expect(released.Item?.decision).toEqual(decision('applied'));
  });
});
