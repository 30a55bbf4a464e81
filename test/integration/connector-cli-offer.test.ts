/**
 * Covers the operator CLI's offer command (cli/connector/main.ts) end to end against the emulators:
 * an offer's record and its decision's text wherever it is kept (its unit's record, a shift's
 * record, or an event item written by an earlier version). Siblings: connector-cli-status.test.ts
 * (status, subscribe), connector-cli-replay-dlq.test.ts (replay, dlq); setup in
 * support/connector-cli-harness.ts.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { storedDecision } from '../../lambdas/core/unit-decision';
import type { RecordedDecision, SeenEvent } from '../../lambdas/core/ports';
import {
  ago,
  decision,
  json,
  MIN,
  NOW,
  raw,
  resources,
  run,
  store,
  TABLE,
  units,
  useConnectorCliEmulators,
} from '../support/connector-cli-harness';

/** Makes the ids and tables of this file's tests unique. */
let counter = 0;

useConnectorCliEmulators();

describe('offer', () => {
  it("prints the offer's decision and the events seen in order; exit 1 for an unknown offer", async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    await store.recordOfferFacts({
      offerId: id,
      careType: 'psw',
      matchResponse: 'accepted',
      matchStatus: 'open',
      updatedAt: NOW.toISOString(),
      seenEvent: { name: 'OfferMatched', at: ago(9 * MIN).toISOString(), eventId: 'e-1' },
    });
    await store.recordOfferFacts({
      offerId: id,
      updatedAt: NOW.toISOString(),
      seenEvent: { name: 'OfferClosed', at: ago(1 * MIN).toISOString(), eventId: 'e-2' },
    });
    await store.recordDecision(id, decision({ eventId: 'e-1' }));

    const text = await run(['offer', id], r);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`offer ${id}`);
    expect(text.out).toMatch(/state:\s+applied/);
    expect(text.out).toMatch(/rules version:\s+v-7/);
    expect(text.out).toContain('rule "psw visits": care_type matched');
    expect(text.out.indexOf('OfferMatched (e-1)')).toBeLessThan(
      text.out.indexOf('OfferClosed (e-2)'),
    );

    const { data } = await json(['offer', id], r);
    expect(data.record.events.map((e) => e.eventId)).toEqual(['e-1', 'e-2']);
    expect(data.record.decision).toMatchObject({ action: 'accept', state: 'applied' });

    const missing = await run(['offer', 'no-such-offer'], r);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no record of offer no-such-offer');
  });
});

describe('offer: a decision’s text, kept on its unit’s record', () => {
  const seenAt = ago(5 * MIN).toISOString();
  const seenEvent = (eventId: string): SeenEvent => ({ name: 'OfferMatched', at: seenAt, eventId });

  /** Records a unit's decision as the worker does: under the unit's lease, given back with it. */
  async function recordUnit(unitKey: string, settled: RecordedDecision, facts?: SeenEvent) {
    const owner = `${settled.eventId}#attempt`;
    expect(await units.acquireUnitLease(unitKey, owner, NOW, 60_000)).toMatchObject({
      kind: 'acquired',
    });
    const lone = unitKey.startsWith('offer#') ? unitKey.slice('offer#'.length) : undefined;
    await units.recordUnitDecision(unitKey, owner, NOW, settled, {
      releaseLease: true,
      ...(lone !== undefined && facts !== undefined
        ? { facts: { offerId: lone, updatedAt: NOW.toISOString(), seenEvent: facts } }
        : {}),
    });
  }

  /** A shift of two offers decided by `eventId`, each offer with its copy (no text). */
  function shiftDecision(shiftId: string, ids: string[], eventId: string): RecordedDecision {
    return decision({
      eventId,
      unitKey: `shift#${shiftId}`,
      offerIds: ids,
      answeredVia: ids[0],
      reason: 'rule "psw shifts" matched',
      explanation: [`accept by rule "psw shifts" (offer ${ids[0]} decided)`],
      offers: ids.map((offerId) => ({
        offerId,
        action: 'accept',
        rule: 'psw shifts',
        reason: 'rule "psw shifts" matched',
        explanation: [`offer ${offerId}: care_type held`],
      })),
    });
  }

  async function copyOnOffers(settled: RecordedDecision): Promise<void> {
    for (const id of settled.offerIds ?? []) {
      await store.recordOfferFacts({
        offerId: id,
        shiftId: settled.unitKey?.slice('shift#'.length),
        updatedAt: NOW.toISOString(),
        seenEvent: seenEvent(settled.eventId),
      });
      await store.recordDecision(id, storedDecision(settled));
    }
  }

  it('shows a lone offer’s text from its own record (its unit’s)', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const eventId = `e-lone-${counter}`;
    await recordUnit(
      `offer#${id}`,
      decision({
        eventId,
        unitKey: `offer#${id}`,
        offerIds: [id],
        answeredVia: id,
        reason: 'rule "lone psw" matched',
        explanation: ['accept by rule "lone psw" (care_type held)'],
      }),
      seenEvent(eventId),
    );
    expect(await store.getEventRecord(eventId)).toBeUndefined();

    const text = await run(['offer', id], r);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/reason:\s+rule "lone psw" matched/);
    expect(text.out).toContain('accept by rule "lone psw" (care_type held)');
    const { data } = await json(['offer', id], r);
    expect(data.decisionText).toEqual({
      reason: 'rule "lone psw" matched',
      explanation: ['accept by rule "lone psw" (care_type held)'],
    });
  });

  it('shows a shift offer’s text, its copy holding none, from the shift’s record', async () => {
    const r = await resources();
    const shiftId = `sh-${++counter}`;
    const ids = [`of-${counter}-1`, `of-${counter}-2`];
    const settled = shiftDecision(shiftId, ids, `e-shift-${counter}`);
    await recordUnit(`shift#${shiftId}`, settled);
    await copyOnOffers(settled);
    expect((await store.getOffer(ids[1]))?.decision?.reason).toBeUndefined();

    const text = await run(['offer', ids[1]], r);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/reason:\s+rule "psw shifts" matched/);
    expect(text.out).toContain(`accept by rule "psw shifts" (offer ${ids[0]} decided)`);
    expect(text.out).not.toContain(`decision of shift#${shiftId}`);
    const { data } = await json(['offer', ids[1]], r);
    expect(data.decisionText).toEqual({
      reason: 'rule "psw shifts" matched',
      explanation: [`accept by rule "psw shifts" (offer ${ids[0]} decided)`],
      offers: ids.map((offerId) => ({
        offerId,
        explanation: [`offer ${offerId}: care_type held`],
      })),
    });
  });

  it('a copy whose shift’s record holds another event’s decision now: its text is not kept', async () => {
    const r = await resources();
    const shiftId = `sh-${++counter}`;
    const ids = [`of-${counter}-1`, `of-${counter}-2`];
    const first = shiftDecision(shiftId, ids, `e-first-${counter}`);
    await recordUnit(`shift#${shiftId}`, first);
    await copyOnOffers(first);
    const replaced = {
      ...shiftDecision(shiftId, ids, `e-second-${counter}`),
      reason: 'replayed: rule "psw shifts" matched',
    };
    await recordUnit(`shift#${shiftId}`, replaced);

    const text = await run(['offer', ids[0]], r);
    expect(text.code).toBe(0);
    expect(text.out).toContain(
      `explanation: (not kept: shift#${shiftId}'s record holds event e-second-${counter}'s decision now; event e-first-${counter}'s item`,
    );
    // The shift's own decision, shown apart, with its text.
    expect(text.out).toContain(`decision of shift#${shiftId}:`);
    expect(text.out).toMatch(/reason:\s+replayed: rule "psw shifts" matched/);
  });

  it('a settled decision with its text nowhere says it is not kept, the rest shown', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const eventId = `e-gone-${counter}`;
    await store.recordOfferFacts({
      offerId: id,
      updatedAt: NOW.toISOString(),
      seenEvent: seenEvent(eventId),
    });
    await store.recordDecision(id, storedDecision(decision({ eventId })));

    const shown = await run(['offer', id], r);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/state:\s+applied/);
    expect(shown.out).toMatch(/rule:\s+psw visits/);
    expect(shown.out).not.toMatch(/reason:/);
    expect(shown.out).toContain(
      `explanation: (not kept: neither its unit's record nor event ${eventId}'s item, where earlier versions kept it, holds it)`,
    );
    const { data } = await json(['offer', id], r);
    expect(data.decisionText).toEqual({ missing: expect.stringContaining('(not kept:') });
  });
});

describe('offer: the text of a decision settled by an earlier version, kept on an event’s item', () => {
  /** An event item as earlier versions completed it, with the decision's text and no TTL. */
  async function oldEventItem(eventId: string, offerId: string, decisionText: object) {
    const { partitionKey: PK, sortKey: SK } = OFFER_TABLE;
    await raw.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: marshall({
          [PK]: `EVENT#${eventId}`,
          [SK]: 'EVENT',
          status: 'done',
          eventName: 'OfferMatched',
          offerId,
          outcome: 'decided',
          completedAt: NOW.toISOString(),
          decisionText,
        }),
      }),
    );
  }

  /** An offer with the events seen and a settled decision stored without its text. */
  async function settledWithoutText(id: string, eventId: string, seen: string[]): Promise<void> {
    for (const e of seen)
      await store.recordOfferFacts({
        offerId: id,
        updatedAt: NOW.toISOString(),
        seenEvent: { name: 'OfferMatched', at: ago(5 * MIN).toISOString(), eventId: e },
      });
    await store.recordDecision(id, storedDecision(decision({ eventId })));
  }

  it('shows the reason and explanation from the deciding event’s item', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const eventId = `e-text-${counter}`;
    await settledWithoutText(id, eventId, [eventId]);
    await oldEventItem(eventId, id, {
      reason: 'rule "psw visits" matched',
      explanation: ['accept by rule "psw visits" (care_type held)'],
    });

    const text = await run(['offer', id], r);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/reason:\s+rule "psw visits" matched/);
    expect(text.out).toContain('accept by rule "psw visits" (care_type held)');
    const { data } = await json(['offer', id], r);
    expect(data.decisionText).toEqual({
      reason: 'rule "psw visits" matched',
      explanation: ['accept by rule "psw visits" (care_type held)'],
    });
  });

  it('finds the text on a later event that applied an earlier event’s intent', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const crashed = `e-crashed-${counter}`;
    const later = `e-later-${counter}`;
    await settledWithoutText(id, crashed, [crashed, later]);
    await oldEventItem(later, id, { reason: 'sent again', decisionEventId: crashed });

    const text = await run(['offer', id], r);
    expect(text.out).toMatch(/reason:\s+sent again/);
    expect(text.out).not.toContain('not kept');
  });
});
