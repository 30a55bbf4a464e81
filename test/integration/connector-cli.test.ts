/**
 * Covers the operator CLI's commands (cli/connector/main.ts) end to end against the emulators:
 * dynalite (the offer table), fauxqs (events queue and DLQ) and the marketplace simulator, with a
 * sandbox-shaped ConnectorResources pointing at them: status counts and depths, offer's record,
 * replay (refused when answered, --force, review replayed), dlq list with the recorded last error
 * and redrive by id (not found reported, exit 1) and --all, subscribe's e-mail and --call.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { cachedDynamoClient, Documents } from '../../lambdas/adapters/dynamo-documents';
import { main } from '../../cli/connector/main';
import type { ConnectorResources } from '../../cli/connector/resources';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import { storedDecision } from '../../lambdas/core/unit-decision';
import { queuedEventSchema } from '../../lambdas/core/events';
import type { RecordedDecision } from '../../lambdas/core/ports';
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
  it('counts queues, events and decisions of the last hour and day, and says what the sandbox lacks', async () => {
    const r = await resources();
    const done = async (id: string, at: Date, outcome: string) => {
      await store.claimEvent(id, at, 60_000);
      await store.completeEvent(id, at, { eventName: 'OfferMatched', offerId: 'o', outcome });
    };
    await done(`st-a-${counter}`, ago(10 * MIN), 'decided');
    await done(`st-b-${counter}`, ago(2 * MIN), 'duplicate');
    await done(`st-c-${counter}`, ago(5 * 60 * MIN), 'decided');
    await store.recordDecision(
      `st-offer-1-${counter}`,
      decision({ decidedAt: ago(3 * MIN).toISOString() }),
    );
    await store.recordDecision(
      `st-offer-2-${counter}`,
      decision({ action: 'review', decidedAt: ago(3 * 60 * MIN).toISOString() }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: r.queueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: r.dlqUrl, MessageBody: '{}' }));

    const { code, data } = await json(['status'], r);
    expect(code).toBe(0);
    expect(data.queue).toMatchObject({ visible: 1, oldestAgeSeconds: null });
    expect(data.deadLetterQueue).toEqual({ depth: 1 });
    // The table is shared by this file's tests: at least what this test wrote.
    expect(data.events.lastHour.decided).toBeGreaterThanOrEqual(1);
    expect(data.events.lastHour.duplicate).toBeGreaterThanOrEqual(1);
    expect(data.events.lastDay.decided).toBeGreaterThanOrEqual(data.events.lastHour.decided + 1);
    expect(data.decisions.lastHour['accept applied']).toBeGreaterThanOrEqual(1);
    expect(data.decisions.lastDay['review applied']).toBeGreaterThanOrEqual(1);
    expect(data.lastEvent).toMatchObject({
      at: ago(2 * MIN).toISOString(),
      eventName: 'OfferMatched',
      outcome: 'duplicate',
    });
    expect(data.alarmsInAlarm).toBeNull();

    const text = await run(['status'], r);
    expect(text.out).toContain('oldest n/a (no CloudWatch in the sandbox)');
    expect(text.out).toContain('alarms:      none in the sandbox');
    expect(text.out).toMatch(/dead letters: 1/);
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

describe('offer: a settled decision’s text, kept on the event that settled it', () => {
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

  it('shows the reason and explanation from the deciding event’s item, or says they are not kept', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const eventId = `e-text-${counter}`;
    await settledWithoutText(id, eventId, [eventId]);
    await store.completeEvent(eventId, NOW, {
      eventName: 'OfferMatched',
      offerId: id,
      outcome: 'decided',
      decisionText: {
        reason: 'rule "psw visits" matched',
        explanation: ['accept by rule "psw visits" (care_type held)'],
      },
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

    // The deciding event's item gone (expired) or without text: said so, the rest shown.
    const lost = `of-${++counter}`;
    await settledWithoutText(lost, `e-gone-${counter}`, [`e-gone-${counter}`]);
    const shown = await run(['offer', lost], r);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/state:\s+applied/);
    expect(shown.out).toContain(`explanation: (not kept: event e-gone-${counter}'s record`);
  });

  it('finds the text on a later event that applied an earlier event’s intent', async () => {
    const r = await resources();
    const id = `of-${++counter}`;
    const crashed = `e-crashed-${counter}`;
    const later = `e-later-${counter}`;
    await settledWithoutText(id, crashed, [crashed, later]);
    await store.completeEvent(later, NOW, {
      eventName: 'OfferMatched',
      offerId: id,
      outcome: 'recovered',
      decisionText: { reason: 'sent again', decisionEventId: crashed },
    });

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
