/**
 * Covers the operator CLI's commands (cli/connector/main.ts) end to end against the emulators:
 * dynalite (the offer table), fauxqs (events queue and DLQ) and the marketplace simulator, with a
 * sandbox-shaped ConnectorResources pointing at them: status depths and counts (events seen on
 * offers, failed and claimed events, decisions, the last event), offer's record and its decision's
 * text wherever it is kept, replay (refused when answered, --force, review replayed), dlq list
 * with the recorded last error and redrive by id (not found reported, exit 1) and --all,
 * subscribe's e-mail and --call.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { main } from '../../cli/connector/main';
import type { ConnectorResources } from '../../cli/connector/resources';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { DynamoUnitStore } from '../../lambdas/adapters/dynamo-unit-store';
import { createOfferTable, OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { storedDecision } from '../../lambdas/core/unit-decision';
import { queuedEventSchema } from '../../lambdas/core/events';
import type { RecordedDecision, SeenEvent } from '../../lambdas/core/ports';
import {
  EMULATOR_AWS,
  type RunningEmulator,
  startDynalite,
  startFauxqs,
} from '../../sandbox/emulators';
import { type MarketplaceSimulator, startSimulator } from '../../sandbox/simulator/simulator';
import { shutDown } from '../support/shut-down';

const TABLE = 'cli-offers';
const NOW = new Date('2026-11-30T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const MIN = 60_000;

let dynalite: RunningEmulator;
let fauxqs: RunningEmulator;
let simulator: MarketplaceSimulator;
let sqs: SQSClient;
let raw: DynamoDBClient;
let store: DynamoOfferStore;
let units: DynamoUnitStore;
let counter = 0;

beforeAll(async () => {
  [dynalite, fauxqs, simulator] = await Promise.all([
    startDynalite(),
    startFauxqs(),
    startSimulator(),
  ]);
  raw = cachedDynamoClient({ ...EMULATOR_AWS, endpoint: dynalite.endpoint });
  await createOfferTable(raw, TABLE);
  store = new DynamoOfferStore(new Documents(raw), TABLE);
  units = new DynamoUnitStore(new Documents(raw), TABLE);
  sqs = new SQSClient({ ...EMULATOR_AWS, endpoint: fauxqs.endpoint });
});

afterAll(() => shutDown([sqs, raw], [fauxqs, dynalite, simulator]));

async function queueUrl(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-${++counter}` }),
  );
  if (QueueUrl === undefined) throw new Error('no queue URL');
  return QueueUrl;
}

/** Resources with a fresh events queue and DLQ of their own. */
async function resources(): Promise<ConnectorResources> {
  const queue = await queueUrl('events');
  const dlq = await queueUrl('dlq');
  return {
    source: 'sandbox',
    region: EMULATOR_AWS.region,
    tableName: TABLE,
    queueUrl: queue,
    queueArn: `arn:aws:sqs:${EMULATOR_AWS.region}:000000000000:${queue.slice(queue.lastIndexOf('/') + 1)}`,
    dlqUrl: dlq,
    endpointUrl: 'http://127.0.0.1:9/sns',
    role: 'supply',
    marketplace: { baseUrl: simulator.url, login: simulator.credentials },
    emulator: {
      dynamodb: dynalite.endpoint,
      sqs: fauxqs.endpoint,
      credentials: { ...EMULATOR_AWS.credentials },
    },
  };
}

async function run(
  argv: string[],
  r: ConnectorResources,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    now: () => NOW,
    resources: async () => r,
  });
  return { code, out, err };
}

type Counts = Record<string, number>;

/** What these tests read of `--json` output, each command's fields optional (one type for all). */
interface JsonOutput {
  [field: string]: unknown;
  events: { lastHour: Counts; lastDay: Counts };
  failedEvents: { lastHour: Counts; lastDay: Counts };
  claimedEvents: { lastHour: Counts; lastDay: Counts };
  decisions: { lastHour: Counts; lastDay: Counts };
  record: { events: { eventId: string }[]; decision: unknown };
  eventId: string;
  deadLetters: { eventId?: string }[];
  moved: unknown[];
  subscriptions: { topic: string }[];
}

const json = async (argv: string[], r: ConnectorResources) => {
  const result = await run([...argv, '--json'], r);
  return { ...result, data: JSON.parse(result.out) as JsonOutput };
};

function decision(overrides: Partial<RecordedDecision> = {}): RecordedDecision {
  return {
    action: 'accept',
    rule: 'psw visits',
    reason: 'rule "psw visits" matched',
    state: 'applied',
    eventId: 'e-0',
    decidedAt: ago(5 * MIN).toISOString(),
    rulesVersion: 'v-7',
    explanation: ['rule "psw visits": care_type matched'],
    ...overrides,
  };
}

function queuedBody(eventId: string, offerId: string): string {
  const message = {
    event_id: eventId,
    event_name: 'OfferMatched',
    event_source: 'alayamarket.offers',
    timestamp: NOW.toISOString(),
    offer_id: offerId,
  };
  return JSON.stringify({
    version: 1,
    origin: 'sns',
    topicArn: 'arn:aws:sns:ca-central-1:111122223333:inbox-offers',
    snsMessageId: `sns-${eventId}`,
    publishedAt: NOW.toISOString(),
    message: JSON.stringify(message),
  });
}

async function depth(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function takeAll(url: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  for (const m of Messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  return Messages.map((m) => m.Body ?? '');
}

describe('status', () => {
  it('counts events seen on offers (each once), failed and claimed events, and decisions, of the last hour and day', async () => {
    // A table of its own: the counts are exactly what this test wrote.
    const tableName = `cli-status-${++counter}`;
    await createOfferTable(raw, tableName);
    const own = new DynamoOfferStore(new Documents(raw), tableName);
    const r = { ...(await resources()), tableName };
    const seen = (offerId: string, name: string, eventId: string, at: Date) =>
      own.recordOfferFacts({
        offerId,
        updatedAt: NOW.toISOString(),
        seenEvent: { name, eventId, at: at.toISOString() },
      });
    // Successful OfferMatched events leave no event item: they are read off the offers.
    await seen('o-a', 'OfferMatched', 'e-m1', ago(10 * MIN));
    await seen('o-a', 'OfferClosed', 'e-c1', ago(2 * MIN));
    await seen('o-b', 'OfferMatched', 'e-m1', ago(10 * MIN)); // on two offers: counted once
    await seen('o-b', 'OfferMatched', 'e-m2', ago(5 * 60 * MIN));
    await seen('o-c', 'OfferMatched', 'e-m3', ago(2 * 24 * 60 * MIN)); // older than a day
    // Failed attempts of unclaimed events (an OfferMatched) leave a failed item.
    await own.releaseEvent('e-f1', {
      errorName: 'MarketplaceError',
      operation: 'acceptInboxOffer',
      status: 503,
      at: ago(20 * MIN).toISOString(),
    });
    await own.releaseEvent('e-f2', {
      errorName: 'LeaseLostError',
      at: ago(3 * 60 * MIN).toISOString(),
    });
    // Claimed events: completed with an outcome, or still in progress.
    await own.claimEvent('e-r1', ago(30 * MIN), 60_000);
    await own.completeEvent('e-r1', ago(30 * MIN), {
      eventName: 'ReferralCreated',
      offerId: 'o-a',
      outcome: 'recorded',
    });
    await own.claimEvent('e-p1', ago(50 * MIN), 60_000);
    await own.recordDecision('o-a', decision({ decidedAt: ago(3 * MIN).toISOString() }));
    await own.recordDecision(
      'o-b',
      decision({ action: 'review', decidedAt: ago(3 * 60 * MIN).toISOString() }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: r.queueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: r.dlqUrl, MessageBody: '{}' }));

    const { code, data } = await json(['status'], r);
    expect(code).toBe(0);
    expect(data.queue).toMatchObject({ visible: 1, oldestAgeSeconds: null });
    expect(data.deadLetterQueue).toEqual({ depth: 1 });
    expect(data.events).toEqual({
      lastHour: { OfferMatched: 1, OfferClosed: 1 },
      lastDay: { OfferMatched: 2, OfferClosed: 1 },
    });
    expect(data.failedEvents).toEqual({
      lastHour: { MarketplaceError: 1 },
      lastDay: { MarketplaceError: 1, LeaseLostError: 1 },
    });
    expect(data.claimedEvents).toEqual({
      lastHour: { recorded: 1, in_progress: 1 },
      lastDay: { recorded: 1, in_progress: 1 },
    });
    expect(data.decisions).toEqual({
      lastHour: { 'accept applied': 1 },
      lastDay: { 'accept applied': 1, 'review applied': 1 },
    });
    expect(data.lastEvent).toEqual({
      eventId: 'e-c1',
      eventName: 'OfferClosed',
      at: ago(2 * MIN).toISOString(),
      offerId: 'o-a',
    });
    expect(data.alarmsInAlarm).toBeNull();

    const text = await run(['status'], r);
    expect(text.out).toContain('oldest n/a (no CloudWatch in the sandbox)');
    expect(text.out).toContain('alarms:      none in the sandbox');
    expect(text.out).toMatch(/dead letters: 1/);
    expect(text.out).toContain(
      "events seen on offers, by name (by the event's own time, each once):\n" +
        '  last hour 2 (OfferClosed 1, OfferMatched 1)\n' +
        '  last day  3 (OfferClosed 1, OfferMatched 2)\n',
    );
    expect(text.out).toContain('  last day  2 (LeaseLostError 1, MarketplaceError 1)\n');
    expect(text.out).toContain(
      `last event:  ${ago(2 * MIN).toISOString()} OfferClosed e-c1 (offer o-a)`,
    );

    // A newer failed attempt, or a claimed event processed later, is no newer event: the last event
    // is the newest seen on an offer, by its own time (processing times are another clock).
    await own.releaseEvent('e-f3', { errorName: 'TimeoutError', at: ago(MIN).toISOString() });
    await own.claimEvent('e-r2', NOW, 60_000);
    await own.completeEvent('e-r2', NOW, { eventName: 'ReferralCreated', outcome: 'recorded' });
    const later = await json(['status'], r);
    expect(later.data.lastEvent).toEqual(data.lastEvent);
  });
});

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

describe('offer ids as logs print them', () => {
  it('offer and replay take the first 8+ characters of one recorded id; several matches are refused, naming them', async () => {
    const r = await resources();
    const stem = `px${++counter}`.padEnd(8, 'q');
    const id = `${stem}-1111-2222`;
    await store.recordDecision(id, decision({ action: 'review' }));

    const shown = await json(['offer', stem], r);
    expect(shown.code).toBe(0);
    expect(shown.data).toMatchObject({ offerId: id, found: true });

    const replayed = await json(['replay', stem], r);
    expect(replayed.code).toBe(0);
    expect(replayed.data).toMatchObject({ offerId: id, replayed: true });
    const [body] = await takeAll(r.queueUrl);
    expect(JSON.parse(queuedEventSchema.parse(JSON.parse(body)).message)).toMatchObject({
      offer_id: id,
    });

    await store.recordDecision(`${stem}-3333-4444`, decision({ action: 'review' }));
    const ambiguous = await run(['offer', stem], r);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain('starts several offer ids');
    expect(ambiguous.err).toContain(id);
    const notReplayed = await run(['replay', stem], r);
    expect(notReplayed.code).toBe(1);
    expect(await depth(r.queueUrl)).toBe(0);

    // Too short to stand for an offer: not looked up.
    expect((await run(['offer', stem.slice(0, 7)], r)).code).toBe(1);
  });
});

describe('replay', () => {
  it('refuses an answered offer without --force, enqueueing nothing', async () => {
    const r = await resources();
    const id = `rp-${++counter}`;
    await store.recordDecision(id, decision());
    const refused = await run(['replay', id], r);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('already answered (accept, applied');
    expect(await depth(r.queueUrl)).toBe(0);
  });

  it('with --force, enqueues an operator OfferMatched carrying the flag', async () => {
    const r = await resources();
    const id = `rp-${++counter}`;
    await store.recordDecision(id, decision());
    const { code, data } = await json(['replay', id, '--force'], r);
    expect(code).toBe(0);
    expect(data).toMatchObject({ offerId: id, replayed: true, force: true });
    const bodies = await takeAll(r.queueUrl);
    expect(bodies).toHaveLength(1);
    const queued = queuedEventSchema.parse(JSON.parse(bodies[0]));
    expect(queued).toMatchObject({ origin: 'operator', replay: { force: true } });
    expect(JSON.parse(queued.message)).toMatchObject({
      event_name: 'OfferMatched',
      offer_id: id,
      event_id: data.eventId,
    });
  });

  it('replays a review decision, and an offer never seen, without --force', async () => {
    const r = await resources();
    const id = `rp-${++counter}`;
    await store.recordDecision(id, decision({ action: 'review' }));
    expect((await run(['replay', id], r)).code).toBe(0);
    expect((await run(['replay', `never-seen-${counter}`], r)).code).toBe(0);
    expect(await depth(r.queueUrl)).toBe(2);
  });

  it('refuses an offer id no event can carry, as a usage error', async () => {
    const r = await resources();
    expect((await run(['replay', 'x'.repeat(300)], r)).code).toBe(2);
  });
});

describe('dlq', () => {
  it('lists dead letters with the last error the worker recorded, never a body', async () => {
    const r = await resources();
    const eventId = `dl-${++counter}`;
    await store.claimEvent(eventId, ago(MIN), 60_000);
    await store.releaseEvent(eventId, {
      errorName: 'MarketplaceError',
      operation: 'acceptInboxOffer',
      status: 503,
      at: ago(MIN).toISOString(),
    });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: r.dlqUrl, MessageBody: queuedBody(eventId, 'offer-9') }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: r.dlqUrl,
        MessageBody: '{"client":{"name":"Jane Canary"}}',
      }),
    );

    const { code, data } = await json(['dlq', 'list'], r);
    expect(code).toBe(0);
    const letter = data.deadLetters.find((l) => l.eventId === eventId);
    expect(letter).toMatchObject({
      offerId: 'offer-9',
      eventStatus: 'failed',
      failedAttempts: 1,
      lastError: { errorName: 'MarketplaceError', operation: 'acceptInboxOffer', status: 503 },
    });
    const text = await run(['dlq', 'list'], r);
    expect(text.out).toContain('MarketplaceError acceptInboxOffer 503 (1 failed');
    expect(text.out + JSON.stringify(data)).not.toContain('Jane Canary');
    expect(await depth(r.dlqUrl)).toBe(2);

    // Finished since by another message of the event (a retry that marked its failure done).
    await store.completeFailedEvent(eventId, ago(0), {
      eventName: 'OfferMatched',
      outcome: 'decided',
      offerId: 'offer-9',
    });
    const after = await run(['dlq', 'list'], r);
    expect(after.out).toContain('MarketplaceError acceptInboxOffer 503 (1 failed');
    expect(after.out).toContain('; event since done)');
  });

  it('redrives by event id, reports ids not found (exit 1), then --all moves the rest', async () => {
    const r = await resources();
    const eventId = `rd-${++counter}`;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: r.dlqUrl, MessageBody: queuedBody(eventId, 'offer-1') }),
    );
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: r.dlqUrl,
        MessageBody: queuedBody(`${eventId}-other`, 'offer-2'),
      }),
    );

    const some = await json(['dlq', 'redrive', eventId, 'no-such-id'], r);
    expect(some.code).toBe(1);
    expect(some.data.moved).toHaveLength(1);
    expect(some.data.notFound).toEqual(['no-such-id']);
    expect(some.err).toContain('1 id(s) not found');
    expect(await depth(r.queueUrl)).toBe(1);

    const rest = await run(['dlq', 'redrive', '--all'], r);
    expect(rest.code).toBe(0);
    expect(rest.out).toContain('moved 1 message(s)');
    expect(await depth(r.queueUrl)).toBe(2);
    expect(await depth(r.dlqUrl)).toBe(0);
  });
});

describe('subscribe', () => {
  it("prints the e-mail with the endpoint and the role's topics", async () => {
    const r = await resources();
    const { code, out } = await run(['subscribe'], r);
    expect(code).toBe(0);
    expect(out).toContain('endpoint (protocol https): http://127.0.0.1:9/sns');
    expect(out).toContain('inbox-offers  (OfferMatched');
    expect(out).toContain('inbox-referrals');
    expect(out).not.toContain(simulator.credentials.password);
  });

  it('--call subscribes through the marketplace API with the login', async () => {
    const r = await resources();
    const { code, data, out } = await json(['subscribe', '--call'], r);
    expect(code).toBe(0);
    expect(data.subscriptions.map((s) => s.topic)).toEqual(['inbox-offers', 'inbox-referrals']);
    expect(data.subscriptions[0]).toMatchObject({
      protocol: 'https',
      subscriptionArn: 'pending confirmation',
    });
    expect(out).not.toContain(simulator.credentials.password);
  });
});
