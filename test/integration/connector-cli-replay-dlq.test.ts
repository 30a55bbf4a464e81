/**
 * Covers the operator CLI's replay and dlq commands (cli/connector/main.ts) end to end against the
 * emulators: offer ids by prefix, replay (refused when answered, --force, review replayed), dlq list
 * with the recorded last error and redrive by id (not found reported, exit 1) and --all. Siblings:
 * connector-cli-status.test.ts (status, subscribe), connector-cli-offer.test.ts (offer); setup in
 * support/connector-cli-harness.ts.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import * as v from 'valibot';
import { queuedEventSchema } from '../../lambdas/core/events';
import {
  ago,
  decision,
  json,
  MIN,
  NOW,
  resources,
  run,
  sqs,
  store,
  useConnectorCliEmulators,
} from '../support/connector-cli-harness';

/** Makes the ids and tables of this file's tests unique. */
let counter = 0;

useConnectorCliEmulators();

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
    expect(JSON.parse(v.parse(queuedEventSchema, JSON.parse(body)).message)).toMatchObject({
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
    const queued = v.parse(queuedEventSchema, JSON.parse(bodies[0]));
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
