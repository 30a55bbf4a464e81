import { DEFAULT_SILENCE_HOURS } from '../lambdas/core/monitoring-config';
import {
  DEAD_LETTER_AGE_ALARM_THRESHOLD,
  DEAD_LETTER_RETENTION,
  EVENTS_QUEUE_RETENTION,
  QUEUE_AGE_ALARM_THRESHOLD,
} from './constants';

/**
 * Every alarm the app stack can create: its construct id, when it fires, what that means and what
 * to do. One source for the alarms' descriptions (lib/monitoring.ts), the tests and the README
 * runbook. Each alarm notifies the alarm topic when it fires and again when it clears (OK).
 */

export const ALARM_IDS = [
  'NoDeliveries',
  'DeadLetterQueueNotEmpty',
  'DeadLetterQueueOldestMessage',
  'RecordsFailing',
  'MarketplaceLoginFailing',
  'ReconcilerFoundDroppedOffers',
  'WorkerErrors',
  'ReceiverErrors',
  'ReceiverThrottled',
  'ReconcilerErrors',
  'ReconcilerRunLost',
  'Api5xx',
  'UnsubscribeConfirmation',
  'RulesInvalid',
  'RulesReadFailed',
  'QueueOldestMessageAge',
  'TableThrottled',
] as const;

export type AlarmId = (typeof ALARM_IDS)[number];

export interface AlarmRunbookEntry {
  readonly id: AlarmId;
  /** The condition, in words. */
  readonly firesWhen: string;
  /** What is wrong. */
  readonly means: string;
  /** What to do, in short. */
  readonly action: string;
}

/** Reconciler finds per hour, in each of two consecutive hours, that count as SNS dropping offers. */
export const RECONCILER_FINDS_PER_HOUR = 3;

const days = (d: { toDays(): number }) => `${d.toDays()} days`;

export const ALARM_RUNBOOK: readonly AlarmRunbookEntry[] = [
  {
    id: 'NoDeliveries',
    firesWhen: `Nothing was put on the events queue (its NumberOfMessagesSent: accepted SNS notifications, the reconciler's finds, replays, redrives and the worker's hand-backs) for monitoring.silence.hours consecutive hours (default ${DEFAULT_SILENCE_HOURS.supply} for supply and both, ${DEFAULT_SILENCE_HOURS.demand} for demand); with businessHours, only business hours count and it only fires in them. No data counts as silence.`,
    means:
      "Nothing arrives and nothing fails: the subscription may be gone or unconfirmed, AlayaCare may have stopped delivering to the endpoint, or the endpoint refuses everything (refused requests never count). The reconciler's finds and replays count as traffic: while SNS is silent and the reconciler keeps finding dropped offers, ReconcilerFoundDroppedOffers fires instead.",
    action:
      'Run `npx connector status` (last event received); check the receiver log (MessagesRejected, DeliveriesFailed, AuthenticationChallenges on the dashboard) and the Api5xx alarm; confirm with AlayaCare that the subscriptions to the SNS endpoint URL exist and are confirmed, and subscribe again if not. A quiet organisation can raise hours or set businessHours.',
  },
  {
    id: 'DeadLetterQueueNotEmpty',
    firesWhen: 'Any message in the dead-letter queue (1-minute maximum).',
    means:
      'An event failed processing 5 times and waits in the dead-letter queue; its offer was not handled.',
    action:
      'List them with `npx connector dlq list` (event, offer, last error); find the cause in the worker log, fix it, then `npx connector dlq redrive --all` (or by id).',
  },
  {
    id: 'DeadLetterQueueOldestMessage',
    firesWhen: `The oldest dead letter is older than ${days(DEAD_LETTER_AGE_ALARM_THRESHOLD)}.`,
    means: `A dead letter has waited over ${days(DEAD_LETTER_AGE_ALARM_THRESHOLD)}: SQS deletes it ${days(DEAD_LETTER_RETENTION)} after it was first sent, and then the event is lost for good.`,
    action:
      'Redrive or handle it now (see DeadLetterQueueNotEmpty); if it can never succeed, note the offer id and delete it on purpose.',
  },
  {
    id: 'RecordsFailing',
    firesWhen:
      'The worker reported failed records (RecordsFailed) in each of 3 consecutive 5-minute periods.',
    means:
      'Events keep failing for 15 minutes: the marketplace, the login, the table or the rules are failing; the records are retried and reach the dead-letter queue after 5 tries.',
    action:
      'Read the worker log lines "Record failed; it will be retried" (errorName, errorMessage) and the login alarm; fix the cause; then `npx connector dlq redrive --all`.',
  },
  {
    id: 'MarketplaceLoginFailing',
    firesWhen:
      'Any marketplace login of the worker or the reconciler refused (4xx other than 429, e.g. 401/403) or its credentials secret unreadable, in a 5-minute period; clears on the next good login of either.',
    means:
      'The connector cannot log in to the marketplace: no offer is decided, and offers SNS dropped are not recovered, until it can.',
    action:
      'Check the username and password in the credentials secret (log line "Marketplace login refused...", its `service` the function); update the secret (it is re-read within 5 minutes). Right after a password change it may fire once and clear by itself.',
  },
  {
    id: 'ReconcilerFoundDroppedOffers',
    firesWhen: `The reconciler enqueued ${RECONCILER_FINDS_PER_HOUR} or more offers in each of 2 consecutive hours (ReconcilerOffersEnqueued).`,
    means:
      'Offers matched to you did not arrive by SNS (the reconciler found them open and undecided over 2 minutes after the match): the subscription is unreliable. Isolated finds are normal races; in-flight offers are skipped.',
    action:
      'Ask AlayaCare to check the inbox-offers subscription to the endpoint (deliveries failing or throttled); check Api5xx and ReceiverErrors. `npx connector subscribe` prints what to send them. If RecordsFailing fires too, the finds are re-tries of failing offers instead: fix that first.',
  },
  {
    id: 'WorkerErrors',
    firesWhen: 'Any worker invocation failed (crash or timeout) in a 5-minute period.',
    means: 'The worker function failed; its batch will be retried.',
    action:
      'Read the worker log for the error or timeout; a repeat leads to the dead-letter queue.',
  },
  {
    id: 'ReceiverErrors',
    firesWhen: 'Any receiver invocation failed in a 5-minute period.',
    means: 'The receiver function failed; SNS retries for about a minute, then drops the message.',
    action:
      'Read the receiver log; the reconciler recovers dropped inbox offers, other events are lost.',
  },
  {
    id: 'ReceiverThrottled',
    firesWhen:
      'Lambda throttled any receiver invocation (its Throttles) in a 5-minute period: with ingress function-url, all of receiverReservedConcurrency was busy; with either ingress, the account had no execution left.',
    means:
      'A throttled receiver answers SNS 429, which SNS treats as final: those deliveries were dropped, not retried. The reconciler recovers inbox offers (OfferMatched); any other event in that window is lost.',
    action:
      'Raise receiverReservedConcurrency (function-url) or the account concurrency limit (Service Quotas), keeping it well above the expected peak of concurrent deliveries; `npx connector status` shows the last event received and the alarms firing. Ask AlayaCare to re-publish the events of that window if needed.',
  },
  {
    id: 'ReconcilerErrors',
    firesWhen: 'Any reconciler run failed in a 5-minute period.',
    means:
      'A reconciler run failed (marketplace, table or queue); Lambda retries it and the next scheduled run starts over. Offers SNS did not deliver wait until a run succeeds.',
    action: 'Read the reconciler log line "Reconciliation failed; Lambda retries the run".',
  },
  {
    id: 'ReconcilerRunLost',
    firesWhen:
      'Any message in the reconciler failure queue (ReconcilerFailures; 5-minute maximum).',
    means: `A scheduled reconciler run was lost: EventBridge could not invoke the function, or the run failed all of Lambda's retries or waited too long to run. Each message is one lost run (the schedule event, and the error if the run failed); SQS deletes it after ${days(DEAD_LETTER_RETENTION)}.`,
    action:
      'Read the messages (SQS console, "Send and receive messages", or `aws sqs receive-message`) and the reconciler log and ReconcilerErrors for the cause; fix it. The next scheduled run starts over, so nothing needs redriving: purge the queue once the cause is fixed, which clears the alarm.',
  },
  {
    id: 'Api5xx',
    firesWhen:
      'The SNS endpoint answered any 5xx in a 5-minute period (config ingress http-api: the HTTP API $default stage 5xx; function-url: the receiver URL Url5xxCount).',
    means:
      'The SNS endpoint answered 5xx: the receiver could not enqueue or confirm (its own 5xx), or it failed or timed out (the HTTP API or the function URL then answers 5xx itself). SNS retries for about a minute, then drops the message.',
    action:
      'With the HTTP API, read its access log (ApiAccessLogs: status, integrationError, integrationLatency); with a function URL there is none. Read the receiver log and ReceiverErrors; check the queue and KMS key permissions.',
  },
  {
    id: 'UnsubscribeConfirmation',
    firesWhen: 'Any UnsubscribeConfirmation message received in a 5-minute period.',
    means: 'A topic confirmed that this endpoint was unsubscribed: its events no longer arrive.',
    action:
      'The receiver log line "Unsubscribe confirmation received" names the topic; ask AlayaCare to subscribe again if it was not intended.',
  },
  {
    id: 'RulesInvalid',
    firesWhen: 'The worker read an invalid rules object in a 5-minute period.',
    means:
      'The rules object is invalid: workers keep the last good version, and a worker that has none fails its records.',
    action:
      'The worker log line "Rules invalid; keeping the last good version" names the fields; publish a valid file or copy back an earlier version.',
  },
  {
    id: 'RulesReadFailed',
    firesWhen: 'The worker could not read the rules object in a 5-minute period.',
    means:
      'The rules object could not be read (deleted, permissions, key, S3 errors): workers keep the last good version, and a worker that has none fails its records.',
    action: 'The worker log names the error; restore the object or the permissions.',
  },
  {
    id: 'QueueOldestMessageAge',
    firesWhen: `An event has waited in the events queue over ${QUEUE_AGE_ALARM_THRESHOLD.toMinutes()} minutes.`,
    means: 'The worker is failing, throttled or far behind.',
    action: `Check WorkerErrors, RecordsFailing and the worker concurrency (workerMaxConcurrency); the queue keeps events ${days(EVENTS_QUEUE_RETENTION)}.`,
  },
  {
    id: 'TableThrottled',
    firesWhen:
      'With table.billing "provisioned" only: DynamoDB throttled reads or writes of the offer table (ReadThrottleEvents + WriteThrottleEvents) in each of 3 consecutive 5-minute periods.',
    means:
      'The provisioned capacity has been below the traffic for 15 minutes: auto scaling is at table.writeCapacity.max or table.readCapacity.max, or cannot keep up. Throttled records fail and are retried (after 5, 15, 60 and 300 s), so answers are late; after 5 tries a record reaches the dead-letter queue.',
    action:
      'Raise table.writeCapacity.max or table.readCapacity.max and deploy, or set table.billing to "on-demand" (DynamoDB allows four such switches in 24 hours); then check RecordsFailing and redrive the dead-letter queue. Do not raise the min to cure a throttle: the deploy sets the table to the new min even where auto scaling had it higher (a cut mid-incident, using one of the day\'s scarce decreases). Raise the min only for a steady higher load, at a quiet time.',
  },
];

/** The alarm's description: what it means and what to do (CloudWatch allows 1024 characters). */
export function alarmDescription(id: AlarmId, detail?: string): string {
  const entry = ALARM_RUNBOOK.find((candidate) => candidate.id === id);
  if (entry === undefined) throw new Error(`No runbook entry for alarm ${id}`);
  return [entry.means, detail, `To do: ${entry.action}`]
    .filter((part) => part !== undefined)
    .join(' ');
}
