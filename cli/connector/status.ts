/**
 * `connector status`: queue and dead-letter depths, the oldest message's age (CloudWatch, AWS
 * only), the last hour's and day's events (seen on offers, by name; failed, by error; claimed, by
 * outcome) and decisions (by action and state), the last event, and the alarms in ALARM (AWS
 * only). An OfferMatched or a referral event that succeeds leaves no event item (neither takes a
 * claim), so the events are counted off the offer items' `events` lists, which every processed
 * offer event is appended to.
 * The counts come from a paginated Scan of the offer table (event and offer items, a few
 * attributes each): fine for a connector's volume, and said in --help.
 */
import { DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { MAX_SEEN_EVENTS, type SeenEvent } from '../../lambdas/core/ports';
import { EXIT } from './args';
import { duration, type CommandResult } from './output';
import type { CommandContext } from './resources';
import { scanTable } from './table-scan';

export const STATUS_USAGE = `usage: npx connector status [--sandbox] [--json] [--region R]

Queue depth and oldest message age, dead-letter queue depth, the events and decisions of the last
hour and day, the last event, and the alarms in ALARM. The events are counted three ways:
- seen on offers, by name (--json: events): each event processed for an offer, once, by its own
  (marketplace) time, as the offers' records list them (each keeps its latest ${MAX_SEEN_EVENTS});
- failed, by error name (failedEvents): each event's latest failed attempt, by that attempt's
  time; an OfferMatched or a referral event keeps this record after a retry succeeds (it records
  no completion), so a count here says an attempt failed, not that the event is still failing;
- claimed, by outcome (claimedEvents): every event but an OfferMatched or a referral event, which
  take no claim, by when it was completed (or claimed, while still in_progress).
Decisions are counted by action and state, by when they were made. The last event is the newest
seen on an offer, by its own time (events with no offer are counted above, but not shown there).
The counts scan the offer table (every event and offer item, a few attributes each, page by page);
the oldest age is CloudWatch's ApproximateAgeOfOldestMessage (n/a in the sandbox, which has no
CloudWatch and no alarms).`;

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, url: string): Promise<QueueDepth> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

type Counts = Record<string, number>;

/** Counts of the last hour and of the last day (which includes the hour). */
export interface Windows {
  lastHour: Counts;
  lastDay: Counts;
}

/** The newest event seen on an offer, by its own (marketplace) time. */
export interface LastEvent {
  eventId: string;
  eventName: string;
  at: string;
  /** The offer that saw it. */
  offerId: string;
}

export interface TableSummary {
  /** Offer events seen on offers, by name, by their own time, each event once. */
  events: Windows;
  /** Event items whose latest attempt failed, by error name, by that attempt's time. */
  failedEvents: Windows;
  /** Claimed event items, by outcome (or `in_progress`), by when completed (or claimed). */
  claimedEvents: Windows;
  /** Offers' decisions, by action and state, by when decided. */
  decisions: Windows;
  lastEvent?: LastEvent;
  scanned: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const windows = (): Windows => ({ lastHour: {}, lastDay: {} });

/** Counts `key` in the windows that hold the time `at` (epoch ms; NaN counts nowhere). */
function bump(counts: Windows, key: string, at: number, now: number): void {
  if (now - at <= HOUR_MS) counts.lastHour[key] = (counts.lastHour[key] ?? 0) + 1;
  if (now - at <= DAY_MS) counts.lastDay[key] = (counts.lastDay[key] ?? 0) + 1;
}

/** The seen events an offer item lists, those well formed (name, time and id). */
function seenEventsOf(item: Record<string, unknown>): SeenEvent[] {
  const events: unknown = item.events;
  if (!Array.isArray(events)) return [];
  return events.filter(
    (e): e is SeenEvent =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as SeenEvent).name === 'string' &&
      typeof (e as SeenEvent).at === 'string' &&
      typeof (e as SeenEvent).eventId === 'string',
  );
}

/**
 * Scans event and offer items (a few attributes) and counts the last hour's and day's: offer
 * events from the offers' `events` lists (an event listed on several offers counted once), failed
 * and claimed events from their items, decisions from the offers.
 */
export async function summarizeTable(ctx: CommandContext): Promise<TableSummary> {
  const { partitionKey: PK, offerKeyPrefix } = OFFER_TABLE;
  const now = ctx.now().getTime();
  const summary: TableSummary = {
    events: windows(),
    failedEvents: windows(),
    claimedEvents: windows(),
    decisions: windows(),
    scanned: 0,
  };
  /** The day's events seen on offers, by id: each counted once, after the scan. */
  const seenToday = new Map<string, { name: string; at: number }>();
  let lastAt = Number.NEGATIVE_INFINITY;
  const newest = (at: number, event: Omit<LastEvent, 'at'>) => {
    if (Number.isNaN(at) || at <= lastAt) return;
    lastAt = at;
    summary.lastEvent = { ...event, at: new Date(at).toISOString() };
  };
  const pages = scanTable(
    ctx,
    {
      FilterExpression: 'begins_with(#pk, :event) OR begins_with(#pk, :offer)',
      ProjectionExpression:
        '#pk, #status, completedAt, claimedAt, failedAt, lastError, eventName, outcome, #events, #decision.#state, #decision.#action, #decision.decidedAt',
      ExpressionAttributeNames: {
        '#pk': PK,
        '#status': 'status',
        '#events': 'events',
        '#decision': 'decision',
        '#state': 'state',
        '#action': 'action',
      },
      ExpressionAttributeValues: { ':event': 'EVENT#', ':offer': offerKeyPrefix },
    },
    (page) => {
      ctx.progress.step(`status: reading the offer table (page ${page}, ${summary.scanned} items)`);
    },
  );
  for await (const items of pages) {
    for (const item of items) {
      summary.scanned += 1;
      const pk = String(item[PK]);
      if (pk.startsWith('EVENT#')) {
        if (item.status === 'failed') {
          const at = Date.parse(String(item.failedAt ?? ''));
          const error = (item.lastError as { errorName?: unknown } | undefined)?.errorName;
          bump(summary.failedEvents, typeof error === 'string' ? error : 'unknown', at, now);
        } else {
          const done = item.status === 'done';
          const at = Date.parse(String((done ? item.completedAt : item.claimedAt) ?? ''));
          const outcome = done ? String(item.outcome ?? 'done') : String(item.status ?? 'unknown');
          bump(summary.claimedEvents, outcome, at, now);
        }
      } else {
        const offerId = pk.slice(offerKeyPrefix.length);
        for (const seen of seenEventsOf(item)) {
          const at = Date.parse(seen.at);
          if (now - at <= DAY_MS) seenToday.set(seen.eventId, { name: seen.name, at });
          newest(at, { eventId: seen.eventId, eventName: seen.name, offerId });
        }
        const decision = item.decision as
          { state?: string; action?: string; decidedAt?: string } | undefined;
        if (decision === undefined) continue;
        const at = Date.parse(decision.decidedAt ?? '');
        bump(summary.decisions, `${decision.action ?? '?'} ${decision.state ?? '?'}`, at, now);
      }
    }
  }
  for (const { name, at } of seenToday.values()) bump(summary.events, name, at, now);
  return summary;
}

/** ApproximateAgeOfOldestMessage's latest 1-minute maximum over the last 15 minutes, seconds. */
async function oldestAgeSeconds(ctx: CommandContext): Promise<number | undefined> {
  const cloudwatch = ctx.clients.cloudwatch;
  if (cloudwatch === undefined) return undefined;
  const end = ctx.now();
  const queueName = ctx.resources.queueUrl.slice(ctx.resources.queueUrl.lastIndexOf('/') + 1);
  const { Datapoints = [] } = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      StartTime: new Date(end.getTime() - 15 * 60 * 1000),
      EndTime: end,
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  const latest = [...Datapoints]
    .sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))
    .at(0);
  return latest?.Maximum;
}

/** The stack's alarms now in ALARM (names and reasons' first line). */
async function alarmsInAlarm(
  ctx: CommandContext,
): Promise<Array<{ name: string; since?: string }> | undefined> {
  const names = ctx.resources.alarmNames;
  const cloudwatch = ctx.clients.cloudwatch;
  if (names === undefined || cloudwatch === undefined) return undefined;
  const firing: Array<{ name: string; since?: string }> = [];
  for (let i = 0; i < names.length; i += 100) {
    const { MetricAlarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100), StateValue: 'ALARM' }),
    );
    for (const alarm of MetricAlarms) {
      if (alarm.AlarmName)
        firing.push({
          name: alarm.AlarmName,
          ...(alarm.StateUpdatedTimestamp
            ? { since: alarm.StateUpdatedTimestamp.toISOString() }
            : {}),
        });
    }
  }
  return firing;
}

function countsLine(label: string, counts: Counts): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `  ${label.padEnd(10)}${total}${entries.length > 0 ? ` (${entries.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`;
}

function windowLines(counts: Windows): string[] {
  return [countsLine('last hour', counts.lastHour), countsLine('last day', counts.lastDay)];
}

export async function status(ctx: CommandContext): Promise<CommandResult> {
  ctx.progress.step('status: reading the queues');
  const queue = await queueDepth(ctx.clients.sqs, ctx.resources.queueUrl);
  const dlq = await queueDepth(ctx.clients.sqs, ctx.resources.dlqUrl);
  ctx.progress.step('status: reading CloudWatch');
  const oldest = await oldestAgeSeconds(ctx);
  const alarms = await alarmsInAlarm(ctx);
  const table = await summarizeTable(ctx);
  ctx.progress.done();
  const sandbox = ctx.resources.source === 'sandbox';
  const last = table.lastEvent;
  const lines = [
    `source:      ${sandbox ? 'sandbox' : `AWS ${ctx.resources.region}`} (role ${ctx.resources.role})`,
    `queue:       ${queue.visible} waiting, ${queue.inFlight} in flight, ${queue.delayed} delayed; oldest ${sandbox ? 'n/a (no CloudWatch in the sandbox)' : duration(oldest)}`,
    `dead letters: ${dlq.visible + dlq.inFlight}${dlq.visible + dlq.inFlight > 0 ? ' (npx connector dlq list)' : ''}`,
    "events seen on offers, by name (by the event's own time, each once):",
    ...windowLines(table.events),
    "events failed, by error (each one's latest failed attempt; it may have succeeded since):",
    ...windowLines(table.failedEvents),
    'events claimed, by outcome (all but OfferMatched and referral events, which take no claim):',
    ...windowLines(table.claimedEvents),
    'decisions by action and state:',
    ...windowLines(table.decisions),
    `last event:  ${last ? `${last.at} ${last.eventName} ${last.eventId} (offer ${last.offerId})` : 'none'}`,
    `alarms:      ${alarms === undefined ? 'none in the sandbox' : alarms.length === 0 ? 'none in ALARM' : alarms.map((a) => a.name).join(', ')}`,
  ];
  return {
    code: EXIT.ok,
    data: {
      source: ctx.resources.source,
      region: ctx.resources.region,
      role: ctx.resources.role,
      queue: { ...queue, oldestAgeSeconds: oldest ?? null },
      deadLetterQueue: { depth: dlq.visible + dlq.inFlight },
      events: table.events,
      failedEvents: table.failedEvents,
      claimedEvents: table.claimedEvents,
      decisions: table.decisions,
      lastEvent: table.lastEvent ?? null,
      alarmsInAlarm: alarms ?? null,
      scannedItems: table.scanned,
    },
    lines,
  };
}
