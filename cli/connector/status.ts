/**
 * `connector status`: queue and dead-letter depths, the oldest message's age (CloudWatch, AWS
 * only), events and decisions of the last hour and day by outcome, the last event received, and
 * the alarms in ALARM (AWS only). The counts come from a paginated Scan of the offer table (event
 * and offer items, a few attributes each): fine for a connector's volume, and said in --help.
 */
import { DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { OFFER_TABLE } from '../../lambdas/adapters/offer-table';
import { EXIT } from './args';
import { duration, type CommandResult } from './output';
import type { CommandContext } from './resources';
import { scanTable } from './table-scan';

export const STATUS_USAGE = `usage: npx connector status [--sandbox] [--json] [--region R]

Queue depth and oldest message age, dead-letter queue depth, events and decisions in the last
hour and day by outcome, the last event received, and the alarms in ALARM.
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

export interface TableSummary {
  events: { lastHour: Counts; lastDay: Counts };
  decisions: { lastHour: Counts; lastDay: Counts };
  lastEvent?: { eventName?: string; at: string; outcome?: string };
  scanned: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

function bump(counts: Counts, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Scans event and offer items (a few attributes) and counts the last hour's and day's. */
export async function summarizeTable(ctx: CommandContext): Promise<TableSummary> {
  const { partitionKey: PK } = OFFER_TABLE;
  const now = ctx.now().getTime();
  const summary: TableSummary = {
    events: { lastHour: {}, lastDay: {} },
    decisions: { lastHour: {}, lastDay: {} },
    scanned: 0,
  };
  let lastAt = Number.NEGATIVE_INFINITY;
  const pages = scanTable(
    ctx,
    {
      FilterExpression: 'begins_with(#pk, :event) OR begins_with(#pk, :offer)',
      ProjectionExpression:
        '#pk, #status, completedAt, claimedAt, failedAt, eventName, outcome, #decision.#state, #decision.#action, #decision.decidedAt',
      ExpressionAttributeNames: {
        '#pk': PK,
        '#status': 'status',
        '#decision': 'decision',
        '#state': 'state',
        '#action': 'action',
      },
      ExpressionAttributeValues: { ':event': 'EVENT#', ':offer': OFFER_TABLE.offerKeyPrefix },
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
        const at = Date.parse(String(item.completedAt ?? item.failedAt ?? item.claimedAt ?? ''));
        if (Number.isNaN(at)) continue;
        const outcome =
          item.status === 'done'
            ? String(item.outcome ?? 'done')
            : String(item.status ?? 'unknown');
        if (now - at <= HOUR_MS) bump(summary.events.lastHour, outcome);
        if (now - at <= DAY_MS) bump(summary.events.lastDay, outcome);
        if (at > lastAt) {
          lastAt = at;
          summary.lastEvent = {
            at: new Date(at).toISOString(),
            ...(item.eventName ? { eventName: String(item.eventName) } : {}),
            outcome,
          };
        }
      } else {
        const decision = item.decision as
          { state?: string; action?: string; decidedAt?: string } | undefined;
        const at = Date.parse(decision?.decidedAt ?? '');
        if (decision === undefined || Number.isNaN(at)) continue;
        const key = `${decision.action ?? '?'} ${decision.state ?? '?'}`;
        if (now - at <= HOUR_MS) bump(summary.decisions.lastHour, key);
        if (now - at <= DAY_MS) bump(summary.decisions.lastDay, key);
      }
    }
  }
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
  const lines = [
    `source:      ${sandbox ? 'sandbox' : `AWS ${ctx.resources.region}`} (role ${ctx.resources.role})`,
    `queue:       ${queue.visible} waiting, ${queue.inFlight} in flight, ${queue.delayed} delayed; oldest ${sandbox ? 'n/a (no CloudWatch in the sandbox)' : duration(oldest)}`,
    `dead letters: ${dlq.visible + dlq.inFlight}${dlq.visible + dlq.inFlight > 0 ? ' (npx connector dlq list)' : ''}`,
    'events by outcome:',
    countsLine('last hour', table.events.lastHour),
    countsLine('last day', table.events.lastDay),
    'decisions by action and state:',
    countsLine('last hour', table.decisions.lastHour),
    countsLine('last day', table.decisions.lastDay),
    `last event:  ${table.lastEvent ? `${table.lastEvent.at} ${table.lastEvent.eventName ?? ''} (${table.lastEvent.outcome ?? ''})`.replace(/\s+\(/, ' (') : 'none'}`,
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
      decisions: table.decisions,
      lastEvent: table.lastEvent ?? null,
      alarmsInAlarm: alarms ?? null,
      scannedItems: table.scanned,
    },
    lines,
  };
}
