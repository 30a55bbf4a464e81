/**
 * Covers a lone offer's decision unit (`offer#<id>`) driven by the event processor on dynalite:
 * decisions recorded by the layout before (a unit item and a copy on the offer) read by the new
 * code, an old settled decision whose offer copy stayed intended (a crash between the writes), and
 * two workers deciding one lone offer at once on dynalite answering it once.
 * Sibling: dynamo-lone-unit-stores.test.ts (the unit's stores: contract, item layout, retries).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { parseRules } from '../../lambdas/core/config';
import { RetryLaterError } from '../../lambdas/core/errors';
import type { RecordedDecision } from '../../lambdas/core/ports';
import { createEventProcessor } from '../../lambdas/core/process-event';
import { useOfferTable } from '../support/dynalite-table';
import { lone, T0, unique } from '../support/dynamo-lone-unit-cases';
import { inboxOffer, offerEvent, queuedEvent } from '../support/offer-fixtures';
import { fakeMarketplace, type FakeMarketplace } from '../support/offer-marketplace-fake';

const TABLE = 'lone-unit-processor-test';
const table = useOfferTable(TABLE);

/** An event processor on dynalite, with stores of its own (as each worker invocation has). */
function processor(marketplace: FakeMarketplace) {
  const documents = table.documents();
  return createEventProcessor({
    marketplace,
    store: new DynamoOfferStore(documents, TABLE),
    units: new DynamoUnitStore(documents, TABLE),
    rules: parseRules(
      JSON.stringify({
        defaultAction: 'review',
        rules: [{ name: 'psw visits', match: { care_type: ['psw'] }, action: 'accept' }],
      }),
    ),
    role: 'supply',
    now: () => T0,
  });
}

/**
 * The layout before: the lone unit's own item, and the same decision copied on the offer (or, to
 * stand for a crash between the two writes, an earlier state of it).
 */
async function oldLayout(
  id: string,
  decision: RecordedDecision,
  offerCopy: RecordedDecision = decision,
): Promise<void> {
  const compactOf = (d: RecordedDecision) => ({
    action: d.action,
    rule: d.rule,
    reason: d.reason,
    state: d.state,
    eventId: d.eventId,
    decidedAt: d.decidedAt,
    ...(d.dryRun === true ? { dryRun: true } : {}),
    ownOffer: true,
  });
  const { partitionKey: PK, sortKey: SK } = OFFER_TABLE;
  await table.documentClient().send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        [PK]: `UNIT#offer#${id}`,
        [SK]: 'UNIT',
        unitKey: `offer#${id}`,
        decision: compactOf(decision),
      },
    }),
  );
  await table.documentClient().send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        [PK]: `OFFER#${id}`,
        [SK]: 'OFFER',
        decision: compactOf(offerCopy),
        createdAt: '2026-05-01T08:00:30Z',
        updatedAt: '2026-05-01T08:00:30Z',
      },
    }),
  );
}

describe('decisions of the layout before (a unit item and a copy on the offer)', () => {
  it('an old intent whose call took effect is confirmed, not sent again', async () => {
    const offer = inboxOffer({
      id: unique('offer'),
      match: { id: 'm', response: 'accepted', status: 'open' },
    });
    await oldLayout(offer.id, lone(offer.id, 'intended', 'event-old'));
    const marketplace = fakeMarketplace(offer);
    const event = offerEvent({ offer_id: offer.id, id: offer.id });
    const result = await processor(marketplace).process(queuedEvent(event));
    expect(result).toMatchObject({ outcome: 'recovered', decision: { action: 'accept' } });
    expect(marketplace.actions()).toEqual([]);
    // Settled with its text on the offer (its unit's record); no event item is written.
    const store = new DynamoOfferStore(table.documents(), TABLE);
    expect((await store.getOffer(offer.id))?.decision).toEqual(
      lone(offer.id, 'applied', 'event-old'),
    );
    expect(await store.getEventRecord(String(event.event_id))).toBeUndefined();
  });

  it('an old intent never sent is sent once; an old applied decision ends the event as decided', async () => {
    const pending = inboxOffer({ id: unique('offer') });
    await oldLayout(pending.id, lone(pending.id, 'intended', 'event-old'));
    const applied = inboxOffer({
      id: unique('offer'),
      match: { id: 'm', response: 'accepted', status: 'open' },
    });
    await oldLayout(applied.id, lone(applied.id, 'applied', 'event-old'));
    const marketplace = fakeMarketplace(pending, applied);
    const worker = processor(marketplace);

    const sent = offerEvent({ offer_id: pending.id, id: pending.id });
    await expect(worker.process(queuedEvent(sent))).resolves.toMatchObject({
      outcome: 'recovered',
      decision: { action: 'accept' },
    });
    await expect(
      worker.process(queuedEvent(offerEvent({ offer_id: applied.id, id: applied.id }))),
    ).resolves.toMatchObject({ outcome: 'already-decided' });
    expect(marketplace.actions()).toMatchObject([
      { method: 'acceptInboxOffer', offerId: pending.id },
    ]);
    const store = new DynamoOfferStore(table.documents(), TABLE);
    // The intent applied now is settled with its text, on the offer (its unit's record), under
    // the intent's event; no event item is written. The old applied decision reads as it is.
    expect((await store.getOffer(pending.id))?.decision).toEqual(
      lone(pending.id, 'applied', 'event-old'),
    );
    expect(await store.getEventRecord(String(sent.event_id))).toBeUndefined();
    expect((await store.getOffer(applied.id))?.decision).toEqual(
      lone(applied.id, 'applied', 'event-old'),
    );
  });
});

describe('an old settled decision whose offer copy stayed intended (a crash between the writes)', () => {
  // Stale by now (older than the intent age limit): taken for a crashed intent, it would be judged
  // again by the current rules, which accept it.
  const decidedAt = new Date(T0.getTime() - 15 * 60_000).toISOString();
  it.each([
    ['a review', { action: 'review' as const }],
    ['a dry run accept', { action: 'accept' as const, dryRun: true }],
  ])('%s ends the event as already decided: nothing judged again or sent', async (_name, kind) => {
    const offer = inboxOffer({ id: unique('offer') });
    const settled: RecordedDecision = {
      ...lone(offer.id, 'applied', 'event-old'),
      ...kind,
      decidedAt,
    };
    const intent: RecordedDecision = {
      ...lone(offer.id, 'intended', 'event-old'),
      ...kind,
      decidedAt,
    };
    await oldLayout(offer.id, settled, intent);
    const marketplace = fakeMarketplace(offer);
    await expect(
      processor(marketplace).process(queuedEvent(offerEvent({ offer_id: offer.id, id: offer.id }))),
    ).resolves.toMatchObject({ outcome: 'already-decided' });
    expect(marketplace.actions()).toEqual([]);
    // The offer's copy is completed with the settled decision, its text kept: a lone offer's record
    // is its unit's, where a settled decision keeps its text.
    expect(
      (await new DynamoOfferStore(table.documents(), TABLE).getOffer(offer.id))?.decision,
    ).toEqual(settled);
  });
});

describe('two workers deciding one lone offer at once on dynalite', () => {
  it('answer it once: the other finds the unit busy, and its retry finds it decided', async () => {
    for (let round = 0; round < 10; round++) {
      const offer = inboxOffer({ id: unique('offer') });
      const marketplace = fakeMarketplace(offer);
      const event = () => queuedEvent(offerEvent({ offer_id: offer.id, id: offer.id }));
      const runs = [
        { worker: processor(marketplace), event: event() },
        { worker: processor(marketplace), event: event() },
      ];
      const first = await Promise.allSettled(runs.map((r) => r.worker.process(r.event)));
      for (const outcome of first)
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(RetryLaterError);
      // Each event that did not end is redelivered once (the holder has released the unit).
      for (const [i, outcome] of first.entries()) {
        if (outcome.status === 'rejected')
          await expect(runs[i].worker.process(runs[i].event)).resolves.toMatchObject({
            outcome: 'already-decided',
          });
      }
      expect(marketplace.answersByUnit().get(offer.id)).toEqual(['accept']);
      expect(
        (await new DynamoOfferStore(table.documents(), TABLE).getOffer(offer.id))?.decision,
      ).toMatchObject({ state: 'applied', action: 'accept' });
    }
  });
});
