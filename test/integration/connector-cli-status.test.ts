/**
 * Covers the operator CLI's status and subscribe commands (cli/connector/main.ts) end to end against
 * the emulators: status depths and counts (events seen on offers, failed and claimed events,
 * decisions, the last event), subscribe's e-mail and --call. Siblings: connector-cli-offer.test.ts
 * (offer), connector-cli-replay-dlq.test.ts (replay, dlq); setup in support/connector-cli-harness.ts.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Documents } from '../../lambdas/adapters/dynamo-documents';
import { DynamoOfferStore } from '../../lambdas/adapters/dynamo-offer-store';
import { createOfferTable } from '../../lambdas/adapters/offer-table';
import {
  ago,
  decision,
  json,
  MIN,
  NOW,
  raw,
  resources,
  run,
  simulator,
  sqs,
  useConnectorCliEmulators,
} from '../support/connector-cli-harness';

/** Makes the ids and tables of this file's tests unique. */
let counter = 0;

useConnectorCliEmulators();

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
