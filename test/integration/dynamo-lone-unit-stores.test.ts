/**
 * Covers a lone offer's decision unit (`offer#<id>`) on the offer's own item (UnitStore), on
 * dynalite and on the in-memory twin: the decision under the lease is getOffer's, with facts and
 * seen event in one fenced write; a lost lease or a settled decision writes neither; a retried
 * write appends once; a first intent only on a free, undecided offer; on dynalite, the item layout
 * (no unit item, no `unitKey`) and settled writes sent again.
 * Sibling: dynamo-lone-unit-processor.test.ts (via the event processor: old layout, two workers).
 */
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { DecisionConflictError, LeaseLostError } from '../../lambdas/core/errors';
import { MAX_SEEN_EVENTS, type OfferStore, type UnitStore } from '../../lambdas/core/ports';
import { useOfferTable } from '../support/dynalite-table';
import { at, facts, LEASE_MS, lone, T0, unique } from '../support/dynamo-lone-unit-cases';
import { MemoryOfferStore } from '../support/offer-memory-store';

const TABLE = 'lone-unit-stores-test';
const table = useOfferTable(TABLE);

describe.each([
  [
    'DynamoUnitStore + DynamoOfferStore on dynalite',
    (): { units: UnitStore; offers: OfferStore } => ({
      units: new DynamoUnitStore(table.documents(), TABLE),
      offers: new DynamoOfferStore(table.documents(), TABLE),
    }),
  ],
  [
    'MemoryOfferStore (unit-test twin)',
    (): { units: UnitStore; offers: OfferStore } => {
      const memory = new MemoryOfferStore();
      return { units: memory, offers: memory };
    },
  ],
])('a lone offer’s unit on its offer: %s', (_name, make) => {
  let units: UnitStore;
  let offers: OfferStore;
  beforeEach(() => {
    ({ units, offers } = make());
  });

  it('holds the lease and the decision on the offer: getOffer reads them, with the facts of the same write', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    expect(await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS)).toEqual({
      kind: 'acquired',
    });
    // A lease alone makes a record with no facts and no decision (the reconciler decides it).
    expect(await offers.getOffer(id)).toEqual({ offerId: id, updatedAt: T0.toISOString() });

    await units.recordUnitDecision(key, 'event-a', at(1), lone(id, 'intended'));
    expect((await offers.getOffer(id))?.decision).toEqual(lone(id, 'intended'));
    // Another event's facts on the offer meanwhile leave the lease and the intent as they are.
    await offers.recordOfferFacts({
      offerId: id,
      matchStatus: 'open',
      updatedAt: at(2).toISOString(),
    });
    expect(await units.acquireUnitLease(key, 'event-b', at(3), LEASE_MS)).toMatchObject({
      kind: 'busy',
    });

    await units.recordUnitDecision(key, 'event-a', at(4), lone(id, 'applied'), {
      releaseLease: true,
      facts: facts(id, 'event-a'),
    });
    expect(await offers.getOffer(id)).toMatchObject({
      offerId: id,
      careType: 'psw',
      matchResponse: 'accepted',
      lastEventName: 'OfferMatched',
      decision: lone(id, 'applied'),
      events: [{ name: 'OfferMatched', at: '2026-05-01T08:00:10Z', eventId: 'event-a' }],
    });
    expect(await units.getUnitDecision(key)).toEqual(lone(id, 'applied'));
    expect(await units.acquireUnitLease(key, 'event-b', at(5), LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: lone(id, 'applied'),
    });
  });

  it('writes neither decision nor facts once the lease is lost, nor over a settled decision', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    // event-a's lease ran out and event-b took the unit.
    await units.acquireUnitLease(key, 'event-b', at(LEASE_MS + 1), LEASE_MS);
    await expect(
      units.recordUnitDecision(key, 'event-a', at(LEASE_MS + 2), lone(id, 'applied'), {
        releaseLease: true,
        facts: facts(id, 'event-a'),
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    const untouched = await offers.getOffer(id);
    expect(untouched?.decision).toBeUndefined();
    expect(untouched?.matchResponse).toBeUndefined();
    expect(untouched?.events).toBeUndefined();

    await units.recordUnitDecision(
      key,
      'event-b',
      at(LEASE_MS + 3),
      lone(id, 'applied', 'event-b'),
    );
    await expect(
      units.recordUnitDecision(key, 'event-b', at(LEASE_MS + 4), lone(id, 'intended', 'event-c'), {
        facts: facts(id, 'event-c', { matchResponse: 'pending' }),
      }),
    ).rejects.toBeInstanceOf(DecisionConflictError);
    const settled = await offers.getOffer(id);
    expect(settled?.decision).toEqual(lone(id, 'applied', 'event-b'));
    expect(settled?.matchResponse).toBeUndefined();
    expect(settled?.events).toBeUndefined();
  });

  it('appends the seen event once when the same write is retried, and keeps only the latest events', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    for (let i = 0; i < MAX_SEEN_EVENTS; i++) {
      await offers.recordOfferFacts({
        offerId: id,
        seenEvent: { name: 'OfferUpdated', at: T0.toISOString(), eventId: `old-${i}` },
        updatedAt: T0.toISOString(),
      });
    }
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await units.recordUnitDecision(key, 'event-a', at(1), lone(id, 'intended'), {
      facts: facts(id, 'event-a', { matchResponse: 'pending' }),
    });
    // A write with the same seen event again (as a retried write whose first attempt landed):
    // written, without a second append.
    await units.recordUnitDecision(key, 'event-a', at(2), lone(id, 'applied'), {
      facts: facts(id, 'event-a'),
    });
    expect(await offers.getOffer(id)).toMatchObject({
      matchResponse: 'accepted',
      decision: lone(id, 'applied'),
    });
    const events = (await offers.getOffer(id))?.events ?? [];
    expect(events).toHaveLength(MAX_SEEN_EVENTS);
    expect(events.filter((e) => e.eventId === 'event-a')).toHaveLength(1);
    expect(events.at(-1)?.eventId).toBe('event-a');
    expect(events[0]?.eventId).toBe('old-1');
  });

  it('refuses facts of another offer, or facts on a shift’s unit, writing nothing', async () => {
    const id = unique('offer');
    await units.acquireUnitLease(`offer#${id}`, 'event-a', T0, LEASE_MS);
    await expect(
      units.recordUnitDecision(`offer#${id}`, 'event-a', at(1), lone(id, 'intended'), {
        facts: facts('another-offer', 'event-a'),
      }),
    ).rejects.toThrow(/facts of offer another-offer/);
    expect((await offers.getOffer(id))?.decision).toBeUndefined();
    expect(await offers.getOffer('another-offer')).toBeUndefined();

    const shift = `shift#${unique('shift')}`;
    await units.acquireUnitLease(shift, 'event-a', T0, LEASE_MS);
    await expect(
      units.recordUnitDecision(shift, 'event-a', at(1), lone(id, 'intended'), {
        facts: facts(id, 'event-a'),
      }),
    ).rejects.toThrow(/facts of offer/);
    expect(await units.getUnitDecision(shift)).toBeUndefined();
  });

  it('takes the lease with a first intent only when the offer has no decision and no live lease', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    // A free offer with no record: the lease and the intent, and the record created with them.
    expect(
      await units.acquireWithIntent(key, 'event-a#1', T0, LEASE_MS, lone(id, 'intended')),
    ).toBe(true);
    expect(await offers.getOffer(id)).toEqual({
      offerId: id,
      updatedAt: T0.toISOString(),
      decision: lone(id, 'intended'),
    });
    // Held: another event is refused, with or without an intent of its own.
    const other = lone(id, 'intended', 'event-b');
    expect(await units.acquireWithIntent(key, 'event-b#1', at(1), LEASE_MS, other)).toBe(false);
    expect(await units.acquireUnitLease(key, 'event-b#1', at(1), LEASE_MS)).toMatchObject({
      kind: 'busy',
    });
    // The holder's own lease, taken again, finds its intent; it settles and gives the lease back.
    expect(await units.acquireUnitLease(key, 'event-a#1', at(2), LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: lone(id, 'intended'),
    });
    await units.recordUnitDecision(key, 'event-a#1', at(3), lone(id, 'applied'), {
      releaseLease: true,
    });
    // Free but decided: refused, nothing written.
    expect(await units.acquireWithIntent(key, 'event-b#2', at(4), LEASE_MS, other)).toBe(false);
    expect(await units.getUnitDecision(key)).toEqual(lone(id, 'applied'));
    expect(await units.acquireUnitLease(key, 'event-b#2', at(5), LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: lone(id, 'applied'),
    });
  });

  it('refuses a first intent over an intent a crashed attempt left, even once its lease ran out', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    await units.acquireWithIntent(key, 'event-a#1', T0, LEASE_MS, lone(id, 'intended'));
    const later = at(LEASE_MS + 1);
    const other = lone(id, 'intended', 'event-b');
    expect(await units.acquireWithIntent(key, 'event-b#1', later, LEASE_MS, other)).toBe(false);
    // The lease alone is free again, and brings the crashed attempt's intent to send.
    expect(await units.acquireUnitLease(key, 'event-b#1', later, LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: lone(id, 'intended'),
    });
  });

  it('takes the lease with a first intent on an offer with facts but no decision, once a lease ran out', async () => {
    const id = unique('offer');
    const key = `offer#${id}`;
    await offers.recordOfferFacts(facts(id, 'event-old'));
    await units.acquireUnitLease(key, 'event-old#1', T0, LEASE_MS);
    const intent = lone(id, 'intended', 'event-b');
    expect(await units.acquireWithIntent(key, 'event-b#1', at(1), LEASE_MS, intent)).toBe(false);
    expect(
      await units.acquireWithIntent(key, 'event-b#1', at(LEASE_MS + 1), LEASE_MS, intent),
    ).toBe(true);
    expect(await offers.getOffer(id)).toMatchObject({
      careType: 'psw',
      events: [expect.objectContaining({ eventId: 'event-old' })],
      decision: intent,
    });
    // Only a lone offer's intended decision is written this way.
    await expect(
      units.acquireWithIntent('shift-1', 'event-c#1', at(2), LEASE_MS, lone(id, 'intended')),
    ).rejects.toThrow(/only a lone offer/);
    await expect(
      units.acquireWithIntent(
        `offer#${unique('offer')}`,
        'event-c#1',
        at(2),
        LEASE_MS,
        lone(id, 'applied'),
      ),
    ).rejects.toThrow(/only a lone offer/);
  });

  it('returns, with the lease, a decision an OfferStore write put on the offer', async () => {
    const id = unique('offer');
    await offers.recordDecision(id, lone(id, 'intended', 'event-old'));
    expect(await units.acquireUnitLease(`offer#${id}`, 'event-a', T0, LEASE_MS)).toEqual({
      kind: 'acquired',
      decision: lone(id, 'intended', 'event-old'),
    });
  });
});

describe('DynamoUnitStore: a lone offer’s item layout', () => {
  it('leases the offer item itself (no unit item, no unitKey), and gives the lease back on it', async () => {
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const id = unique('offer');
    await units.acquireUnitLease(`offer#${id}`, 'event-a', T0, LEASE_MS);
    const leased = await table.item(`OFFER#${id}`, 'OFFER');
    expect(leased).toMatchObject({
      leaseOwner: 'event-a',
      leaseUntil: T0.getTime() + LEASE_MS,
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    expect(leased).not.toHaveProperty('unitKey');
    expect(await table.item(`UNIT#offer#${id}`, 'UNIT')).toBeUndefined();

    await units.recordUnitDecision(`offer#${id}`, 'event-a', at(1), lone(id, 'applied'), {
      releaseLease: true,
      facts: facts(id, 'event-a'),
    });
    const released = await table.item(`OFFER#${id}`, 'OFFER');
    expect(released).not.toHaveProperty('leaseOwner');
    expect(released).not.toHaveProperty('leaseUntil');
    expect(released?.decision).toMatchObject({ ownOffer: true, state: 'applied' });
    expect(released?.createdAt).toBe(T0.toISOString());
  });
});

describe('DynamoUnitStore: a settled write sent again after it landed (an SDK retry)', () => {
  it.each(['offer', 'shift'])('is done, not a lost lease (%s unit)', async (kind) => {
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const id = unique('offer');
    const key = `${kind}#${id}`;
    const decision = { ...lone(id, 'applied'), unitKey: key };
    const write = () =>
      units.recordUnitDecision(key, 'event-a', at(1), decision, {
        releaseLease: true,
        ...(kind === 'offer' ? { facts: facts(id, 'event-a') } : {}),
      });
    await units.acquireUnitLease(key, 'event-a', T0, LEASE_MS);
    await write();
    await expect(write()).resolves.toBeUndefined();
    expect(await units.getUnitDecision(key)).toEqual(decision);
    if (kind === 'offer')
      expect(
        (await new DynamoOfferStore(table.documents(), TABLE).getOffer(id))?.events,
      ).toHaveLength(1);
    // Another event, which never held the lease, is still refused as such.
    await expect(
      units.recordUnitDecision(
        key,
        'event-b',
        at(2),
        { ...decision, eventId: 'event-b' },
        {
          releaseLease: true,
        },
      ),
    ).rejects.toBeInstanceOf(LeaseLostError);
  });
});

describe('DynamoUnitStore: another event settling an earlier event’s intent', () => {
  it('writes the same decision as the event that beat it, and is still told its lease is lost', async () => {
    const units = new DynamoUnitStore(table.documents(), TABLE);
    const id = unique('offer');
    const key = `offer#${id}`;
    // event-old's intent, applied by event-c under its lease; event-b, whose lease had run out,
    // applies the same intent after it.
    const settled = lone(id, 'applied', 'event-old');
    await units.acquireUnitLease(key, 'event-c', T0, LEASE_MS);
    await units.recordUnitDecision(key, 'event-c', at(1), settled, { releaseLease: true });
    await expect(
      units.recordUnitDecision(key, 'event-b', at(2), settled, { releaseLease: true }),
    ).rejects.toBeInstanceOf(LeaseLostError);
  });
});
