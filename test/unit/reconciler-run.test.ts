/**
 * Covers one reconciler run with plain fakes: readOpenInbox (lambdas/reconciler/inbox-snapshot.ts)
 * asks for open matches sorted ascending by last modification and reads the pages from the last to
 * the first (page 1 first to learn the count, and again last), so an offer in the list for the
 * whole run is never skipped however items are removed or added between page reads (an example
 * and a property), keeps each offer once, and skips malformed items (counted, logged by id and
 * field paths). createReconciler (lambdas/reconciler/reconciler.ts): sends with the run id as
 * correlation id, marks each enqueued offer in the store after its send (so the next run backs
 * off), counts (metrics) and logs ids and counts only, and throws when an inbox page, the store
 * or the queue fails. Planning rules are in reconcile.test.ts; the real client and AWS stand-ins
 * in test/integration/reconciler.test.ts.
 */
import fc from 'fast-check';
import type { InboxListEntry, InboxPage, InboxPageQuery } from '../../lambdas/core/inbox-list';
import type { OfferRecord } from '../../lambdas/core/ports';
import { readOpenInbox, type InboxPageReader } from '../../lambdas/reconciler/inbox-snapshot';
import { createReconciler, RECONCILER_METRICS } from '../../lambdas/reconciler/reconciler';
import { PHI } from '../support/offer-fixtures';
import { MemoryOfferStore } from '../support/offer-memory-store';
import { CapturingLogger, lambdaContext, RecordingMetrics } from '../support/worker-observability';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const iso = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

type Entry = InboxListEntry;

/** An inbox list item as the inbox port yields it; client data included to prove it is dropped. */
function item(
  offerId: string,
  overrides: { response?: 'pending' | 'accepted'; expiresAt?: string; shiftId?: string } = {},
): Entry {
  return {
    ok: true,
    item: {
      offer: {
        id: offerId,
        expiresAt: overrides.expiresAt ?? iso(HOUR),
        ...(overrides.shiftId !== undefined ? { shiftId: overrides.shiftId } : {}),
        // Extra fields an adapter might let through; none may reach a log line.
        ...({ careType: 'psw', startAt: iso(2 * HOUR), allergies: PHI.allergy } as object),
      },
      match: { response: overrides.response ?? 'pending', status: 'open', createdAt: iso(-HOUR) },
    },
  };
}

/** An offer the connector decided (and answered) an hour ago. */
const decidedAnHourAgo = (offerId: string): OfferRecord => ({
  offerId,
  updatedAt: iso(-HOUR),
  decision: {
    action: 'review',
    rule: 'default',
    reason: 'test',
    state: 'applied',
    eventId: 'e',
    decidedAt: iso(-HOUR),
  },
});

const idOf = (entry: Entry) => (entry.ok ? entry.item.offer?.id : entry.offerId);

/**
 * The marketplace's inbox list: `items` in ascending last-modified order, cut into pages per
 * request. `beforeRead(n)` runs before the n-th request (0-based), to change the list under it.
 */
class FakeInbox implements InboxPageReader {
  readonly queries: InboxPageQuery[] = [];
  beforeRead: (read: number, inbox: FakeInbox) => void = () => undefined;
  failAt: number | undefined;

  constructor(public items: Entry[]) {}

  readInboxPage(query: InboxPageQuery): Promise<InboxPage> {
    const read = this.queries.length;
    this.queries.push(query);
    this.beforeRead(read, this);
    if (this.failAt === read)
      return Promise.reject(
        Object.assign(new Error('listInboxOfferEntries: HTTP 503'), {
          operation: 'listInboxOfferEntries',
          status: 503,
        }),
      );
    const { pageSize: size, page } = query;
    return Promise.resolve({
      totalPages: Math.ceil(this.items.length / size),
      entries: this.items.slice((page - 1) * size, page * size),
    });
  }

  remove(...offerIds: string[]): void {
    this.items = this.items.filter((entry) => !offerIds.includes(idOf(entry) ?? ''));
  }
}

const pagesAsked = (inbox: FakeInbox) => inbox.queries.map((q) => q.page);

describe('readOpenInbox', () => {
  it('asks for open matches, oldest modification first, and reads page 1, then the last page down to the first', async () => {
    const inbox = new FakeInbox(['a', 'b', 'c', 'd', 'e'].map((id) => item(id)));
    const snapshot = await readOpenInbox(inbox, 2);
    expect(inbox.queries[0]).toEqual({
      status: 'open',
      sortBy: 'last_modified',
      sortOrder: 'asc',
      pageSize: 2,
      page: 1,
    });
    expect(pagesAsked(inbox)).toEqual([1, 3, 2, 1]);
    expect(snapshot.offers.map((o) => o.offerId).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(snapshot).toMatchObject({ listed: 5, pagesRead: 4, incomplete: 0, malformed: [] });
  });

  it('reads a list of one page (or none) once', async () => {
    const one = new FakeInbox([item('a')]);
    expect((await readOpenInbox(one, 2)).offers.map((o) => o.offerId)).toEqual(['a']);
    expect(pagesAsked(one)).toEqual([1]);
    const none = new FakeInbox([]);
    expect(await readOpenInbox(none, 2)).toMatchObject({ offers: [], listed: 0, pagesRead: 1 });
  });

  it('skips no offer when earlier ones are answered (removed) and new ones arrive while it reads', async () => {
    // Page-number order would read [a,b], then (a and b gone) page 2 = [e,f]: c and d skipped.
    const inbox = new FakeInbox(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => item(id)));
    inbox.beforeRead = (read, list) => {
      if (read === 2) {
        list.remove('a', 'b');
        list.items.push(item('g'));
      }
      if (read === 3) list.remove('e');
    };
    const snapshot = await readOpenInbox(inbox, 2);
    expect(pagesAsked(inbox)).toEqual([1, 3, 2, 1]);
    expect(snapshot.offers.map((o) => o.offerId)).toEqual(expect.arrayContaining(['c', 'd', 'f']));
    // Duplicates (an offer read on two pages) are kept once, as last read.
    expect(new Set(snapshot.offers.map((o) => o.offerId)).size).toBe(snapshot.offers.length);
  });

  it('property: whatever is removed, added or modified between page reads, every offer in the list and unmodified for the whole run is read', async () => {
    type Change = { kind: 'remove' | 'add' | 'modify'; at: number };
    const changeArb: fc.Arbitrary<Change> = fc.record({
      kind: fc.constantFrom('remove', 'add', 'modify'),
      at: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(changeArb, { maxLength: 4 }), { maxLength: 12 }),
        async (initial, pageSize, changesPerRead) => {
          const inbox = new FakeInbox(Array.from({ length: initial }, (_, i) => item(`o-${i}`)));
          const touched = new Set<string>();
          let added = 0;
          inbox.beforeRead = (read, list) => {
            for (const change of read === 0 ? [] : (changesPerRead[read - 1] ?? [])) {
              if (change.kind === 'add') {
                list.items.push(item(`new-${added++}`));
                continue;
              }
              const victim = list.items.at(change.at % Math.max(list.items.length, 1));
              if (victim === undefined) continue;
              touched.add(idOf(victim) ?? '');
              list.items = list.items.filter((e) => e !== victim);
              // A modified item moves to the end of a list sorted by last modification.
              if (change.kind === 'modify') list.items.push(victim);
            }
          };
          const read = new Set((await readOpenInbox(inbox, pageSize)).offers.map((o) => o.offerId));
          const throughout = Array.from({ length: initial }, (_, i) => `o-${i}`).filter(
            (id) => !touched.has(id),
          );
          expect(throughout.filter((id) => !read.has(id))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  const bad = (offerId?: string): Entry => ({
    ok: false,
    ...(offerId !== undefined ? { offerId } : {}),
    fields: ['match.response'],
  });

  it('sets malformed items apart (with their id when readable) and counts items without an offer or match as incomplete', async () => {
    const incomplete: Entry = {
      ok: true,
      item: { match: { response: 'pending', status: 'open', createdAt: iso(0) } },
    };
    const snapshot = await readOpenInbox(
      new FakeInbox([item('a'), bad('b'), bad(), incomplete, item('c')]),
      10,
    );
    expect(snapshot.offers.map((o) => o.offerId)).toEqual(['a', 'c']);
    expect(snapshot.malformed).toEqual([
      { offerId: 'b', fields: ['match.response'] },
      { fields: ['match.response'] },
    ]);
    expect(snapshot).toMatchObject({ incomplete: 1, listed: 5 });
  });

  it('counts a malformed offer read twice once, and keeps a good read of an offer over a bad one', async () => {
    const inbox = new FakeInbox([item('x'), bad('c'), bad('d'), item('y')]);
    inbox.beforeRead = (read, list) => {
      // Pages of one: page 3 (d) and page 2 (c) are read bad; then x goes, c is fixed, and page 2 (d) and page 1 (c) are read again.
      if (read === 3) {
        list.remove('x');
        list.items[0] = item('c');
      }
    };
    const snapshot = await readOpenInbox(inbox, 1);
    expect(pagesAsked(inbox)).toEqual([1, 4, 3, 2, 1]);
    expect(snapshot.offers.map((o) => o.offerId).sort()).toEqual(['c', 'y']);
    expect(snapshot.malformed).toEqual([{ offerId: 'd', fields: ['match.response'] }]);
  });
});

interface Harness {
  inbox: FakeInbox;
  sent: { offerId: string; snsMessageId: string; correlationId: string }[];
  logger: CapturingLogger;
  metrics: RecordingMetrics;
  store: MemoryOfferStore;
}

function harness(
  items: Entry[],
  options: { failSendAt?: number; maxEvents?: number; now?: () => Date } = {},
) {
  const h: Harness = {
    inbox: new FakeInbox(items),
    sent: [],
    logger: new CapturingLogger(),
    metrics: new RecordingMetrics(),
    store: new MemoryOfferStore(),
  };
  const handler = createReconciler({
    inbox: h.inbox,
    store: h.store,
    queue: {
      send(event, attributes) {
        if (options.failSendAt === h.sent.length)
          return Promise.reject(new Error('SQS unavailable'));
        h.sent.push({
          offerId: (JSON.parse(event.message) as { offer_id: string }).offer_id,
          ...attributes,
        });
        return Promise.resolve(`sqs-${h.sent.length}`);
      },
    },
    logger: h.logger,
    metrics: h.metrics,
    now: options.now ?? (() => NOW),
    newRunId: () => 'run-1',
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
  });
  return { h, handler };
}

const A = 'aaaaaaaa-0000-4000-8000-00000000000a';
const B = 'bbbbbbbb-0000-4000-8000-00000000000b';
const C = 'cccccccc-0000-4000-8000-00000000000c';

describe('createReconciler', () => {
  it('enqueues the due offers with the run id as correlation id, marks each after its send, and counts them', async () => {
    const { h, handler } = harness([item(A), item(B, { response: 'accepted' }), item(C)]);
    h.store.offers.set(C, decidedAnHourAgo(C));

    const result = await handler(
      {},
      lambdaContext(() => 60_000),
    );

    expect(h.sent).toEqual([
      { offerId: A, snsMessageId: expect.any(String) as string, correlationId: 'request-1' },
    ]);
    expect(h.store.callsTo('recordReconcilerEnqueue')).toEqual([[A, NOW]]);
    expect((await h.store.getOffer(A))?.reconciler).toEqual({
      lastEnqueuedAt: NOW.toISOString(),
      enqueues: 1,
    });
    expect(result).toEqual(
      expect.objectContaining({
        runId: 'request-1',
        seen: 3,
        enqueued: 1,
        skippedByCap: 0,
        malformed: 0,
      }),
    );
    expect(result.skipped).toEqual(expect.objectContaining({ 'not-actionable': 1, decided: 1 }));
    // Only the counts that are not zero: no malformed item and no cap reached, so neither is published.
    expect(h.metrics.published).toEqual([
      { [RECONCILER_METRICS.seen]: 3, [RECONCILER_METRICS.enqueued]: 1 },
    ]);
    expect(h.logger.withMessage('Offer enqueued for the worker')).toEqual([
      expect.objectContaining({ offerId: A, enqueues: 1 }),
    ]);
  });

  it('publishes no metric at all after a run over an empty inbox (a custom metric is billed for each hour it is written)', async () => {
    const { h, handler } = harness([]);
    const result = await handler();
    expect(result).toEqual(
      expect.objectContaining({ seen: 0, enqueued: 0, skippedByCap: 0, malformed: 0 }),
    );
    expect(h.metrics.published).toEqual([]);
    expect(h.logger.withMessage('Reconciliation finished')).toEqual([
      expect.objectContaining({ seen: 0, enqueued: 0 }),
    ]);
  });

  it('publishes what it saw but no zero enqueued when every listed offer is decided already', async () => {
    const { h, handler } = harness([item(C)]);
    h.store.offers.set(C, decidedAnHourAgo(C));
    await handler();
    expect(h.sent).toEqual([]);
    expect(h.metrics.published).toEqual([{ [RECONCILER_METRICS.seen]: 1 }]);
  });

  it('backs off on the next runs: nothing 5 minutes later, the offer again once its backoff has passed', async () => {
    let clock = NOW.getTime();
    const { h, handler } = harness([item(A)], { now: () => new Date(clock) });
    await handler();
    clock += 5 * 60 * 1000;
    const early = await handler();
    expect(early).toEqual(expect.objectContaining({ enqueued: 0 }));
    expect(early.skipped['backed-off']).toBe(1);
    clock += 6 * 60 * 1000; // 11 minutes after the first enqueue: past the 10-minute backoff
    expect((await handler()).enqueued).toBe(1);
    expect(h.sent.map((s) => s.offerId)).toEqual([A, A]);
    expect((await h.store.getOffer(A))?.reconciler?.enqueues).toBe(2);
  });

  it('sends one event per shift', async () => {
    const { h, handler } = harness([
      item(C, { shiftId: 's-1' }),
      item(A, { shiftId: 's-1' }),
      item(B),
    ]);
    const result = await handler();
    expect(h.sent.map((s) => s.offerId).sort()).toEqual([A, B]);
    expect(result.skipped['same-shift']).toBe(1);
  });

  it('skips a malformed item, counts it, logs its id and field paths only, and enqueues the rest', async () => {
    const { h, handler } = harness([
      item(A),
      { ok: false, offerId: B, fields: ['match.status'] },
      { ok: false, fields: ['offer'] },
      item(C),
    ]);
    const result = await handler();
    expect(h.sent.map((s) => s.offerId)).toEqual([A, C]);
    expect(result).toEqual(expect.objectContaining({ seen: 4, malformed: 2, enqueued: 2 }));
    expect(h.metrics.published[0]).toEqual(
      expect.objectContaining({ [RECONCILER_METRICS.malformed]: 2 }),
    );
    const lines = h.logger.withMessage('Inbox list item skipped: it does not match the API schema');
    expect(lines.map((l) => [l.offerId, l.fields])).toEqual([
      [B, ['match.status']],
      [undefined, ['offer']],
    ]);
  });

  it('logs the cap when it is reached', async () => {
    const { h, handler } = harness([item(A), item(B), item(C)], { maxEvents: 2 });
    const result = await handler();
    expect(result).toEqual(expect.objectContaining({ enqueued: 2, skippedByCap: 1 }));
    expect(
      h.logger.withMessage('Per-run cap reached; the remaining offers wait for the next run'),
    ).toEqual([expect.objectContaining({ skippedByCap: 1 })]);
    expect(h.metrics.published[0]).toEqual(
      expect.objectContaining({ [RECONCILER_METRICS.skippedByCap]: 1 }),
    );
  });

  it('throws when the queue fails, after marking what it sent, so the retried run does not send it again', async () => {
    const { h, handler } = harness([item(A), item(B)], { failSendAt: 1 });
    await expect(handler()).rejects.toThrow('SQS unavailable');
    expect(h.store.callsTo('recordReconcilerEnqueue')).toEqual([[A, NOW]]);
    expect(h.logger.withMessage('Reconciliation failed; Lambda retries the run')).toEqual([
      expect.objectContaining({ enqueued: 1, errorName: 'Error', errorMessage: 'SQS unavailable' }),
    ]);
    expect(h.metrics.published).toEqual([
      expect.objectContaining({ [RECONCILER_METRICS.enqueued]: 1 }),
    ]);

    const retry = harness([]);
    retry.h.store.offers.set(A, (await h.store.getOffer(A)) as OfferRecord);
    retry.h.inbox.items = [item(A), item(B)];
    await retry.handler();
    expect(retry.h.sent.map((s) => s.offerId)).toEqual([B]);
  });

  it('throws when marking an enqueued offer fails', async () => {
    const { h, handler } = harness([item(A)]);
    h.store.failNext('recordReconcilerEnqueue', new Error('dynamo throttled'));
    await expect(handler()).rejects.toThrow('dynamo throttled');
    expect(h.sent).toHaveLength(1);
  });

  it('throws when an inbox page fails part-way, and enqueues nothing from a partial read', async () => {
    const { h, handler } = harness(Array.from({ length: 150 }, (_, i) => item(`o-${i}`)));
    h.inbox.failAt = 2;
    await expect(handler()).rejects.toThrow('HTTP 503');
    expect(h.sent).toEqual([]);
    expect(h.logger.withMessage('Reconciliation failed; Lambda retries the run')).toEqual([
      expect.objectContaining({
        errorName: 'Error',
        operation: 'listInboxOfferEntries',
        status: 503,
      }),
    ]);
  });

  it('never logs offer content (client data, dates, care type)', async () => {
    const { h, handler } = harness([
      item(A),
      item(B, { expiresAt: iso(-1) }),
      { ok: false, offerId: C, fields: ['offer.expires_at'] },
    ]);
    await handler();
    const text = h.logger.text();
    expect(h.logger.lines.length).toBeGreaterThan(0);
    for (const value of [PHI.allergy, iso(HOUR), iso(2 * HOUR), iso(-HOUR), 'psw'])
      expect(text).not.toContain(value);
  });
});
