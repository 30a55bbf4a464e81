/**
 * Covers every alarm of the app stack (lib/monitoring.ts) against its runbook entry
 * (lib/alarm-runbook.ts): the metric (namespace, name, dimensions, statistic, period) or the
 * expression, threshold, comparison, evaluation periods and datapoints, missing-data treatment,
 * alarm and OK actions to the alarm topic, a description that says what it means and what to do,
 * and the README's runbook table. Per role and per config switch: alarms-config.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOGIN_METRICS,
  LOGIN_SERVICE_NAME,
  RECEIVER_METRICS,
  RECONCILER_METRICS,
  WORKER_METRICS,
} from '../../lambdas/core/metric-names';
import { DEFAULT_SILENCE_HOURS } from '../../lambdas/core/monitoring-config';
import {
  ALARM_IDS,
  ALARM_RUNBOOK,
  type AlarmId,
  RECONCILER_FINDS_PER_HOUR,
} from '../../lib/alarm-runbook';
import { METRICS_NAMESPACE } from '../../lib/constants';
import { alarmsOf, get, type Props, supplyAlarms } from '../support/alarms-built';
import { exampleConfig } from './infra-support';

// A provisioned table, so every alarm is built (TableThrottled only exists for one).
const supply = supplyAlarms();

const emf = (service: string, metricName: string) => ({
  Namespace: METRICS_NAMESPACE,
  MetricName: metricName,
  Dimensions: [{ Name: 'service', Value: service }],
});

/** A count above 0 in one period of 5 minutes fires; no datapoint is no problem. */
const anyIn5Minutes = (metric: Record<string, unknown>) => ({
  ...metric,
  Statistic: 'Sum',
  Period: 300,
  Threshold: 0,
  ComparisonOperator: 'GreaterThanThreshold',
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
});

/** Any datapoint of a function's own Lambda metric in 5 minutes (its errors, its throttles). */
const anyLambda = (metricName: string) =>
  anyIn5Minutes({ MetricName: metricName, Namespace: 'AWS/Lambda' });

describe('every alarm', () => {
  it('of a supply stack is in the runbook, and every runbook entry is built', () => {
    expect([...supply.byId.keys()].sort()).toEqual([...ALARM_IDS].sort());
    expect(ALARM_RUNBOOK.map((entry) => entry.id).sort()).toEqual([...ALARM_IDS].sort());
  });

  it.each([...ALARM_IDS])(
    '%s notifies the alarm topic when it fires and when it clears, and says what it means and what to do',
    (id) => {
      const alarm = get(id);
      const entry = ALARM_RUNBOOK.find((candidate) => candidate.id === id);
      expect(alarm['AlarmActions']).toEqual([{ Ref: supply.topicId }]);
      expect(alarm['OKActions']).toEqual([{ Ref: supply.topicId }]);
      const description = String(alarm['AlarmDescription']);
      expect(description).toContain(entry?.means);
      expect(description).toContain(`To do: ${entry?.action}`);
      expect(description.length).toBeLessThanOrEqual(1024);
    },
  );
});

describe.each<[AlarmId, Props]>([
  [
    'NoDeliveries',
    {
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: DEFAULT_SILENCE_HOURS.supply,
      DatapointsToAlarm: DEFAULT_SILENCE_HOURS.supply,
      TreatMissingData: 'breaching',
    },
  ],
  [
    'DeadLetterQueueNotEmpty',
    {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    },
  ],
  [
    'DeadLetterQueueOldestMessage',
    {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 86_400,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'ignore',
    },
  ],
  [
    'RecordsFailing',
    {
      ...emf('worker', WORKER_METRICS.failed),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    },
  ],
  [
    'MarketplaceLoginFailing',
    {
      ...emf(LOGIN_SERVICE_NAME, LOGIN_METRICS.failures),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'ignore',
    },
  ],
  [
    'ReconcilerFoundDroppedOffers',
    {
      ...emf('reconciler', RECONCILER_METRICS.enqueued),
      Statistic: 'Sum',
      Period: 3600,
      Threshold: RECONCILER_FINDS_PER_HOUR,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    },
  ],
  ['WorkerErrors', anyLambda('Errors')],
  ['ReceiverErrors', anyLambda('Errors')],
  ['ReceiverThrottled', { ...anyLambda('Throttles'), DatapointsToAlarm: 1 }],
  ['ReconcilerErrors', anyLambda('Errors')],
  ['Api5xx', anyIn5Minutes({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' })],
  [
    'UnsubscribeConfirmation',
    anyIn5Minutes(emf('receiver', RECEIVER_METRICS.unsubscribeConfirmations)),
  ],
  ['RulesInvalid', anyIn5Minutes(emf('worker', WORKER_METRICS.rulesInvalid))],
  ['RulesReadFailed', anyIn5Minutes(emf('worker', WORKER_METRICS.rulesReadFailed))],
  [
    'ReconcilerRunLost',
    {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    },
  ],
  [
    'QueueOldestMessageAge',
    {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    },
  ],
])('%s', (id, expected) => {
  it('watches its metric with its threshold, periods and missing-data treatment', () => {
    expect(get(id)).toEqual(expect.objectContaining(expected));
  });
});

it('Api5xx watches the HTTP API and its $default stage (the dimensions its 5xx metric carries)', () => {
  const dimensions = get('Api5xx')['Dimensions'] as { Name: string; Value: unknown }[];
  expect(dimensions.map((d) => d.Name).sort()).toEqual(['ApiId', 'Stage']);
  expect(JSON.stringify(dimensions.find((d) => d.Name === 'ApiId')?.Value)).toMatch(
    /\{"Ref":"Api[0-9A-F]{8}"\}/,
  );
  expect(dimensions.find((d) => d.Name === 'Stage')?.Value).toBe('$default');
});

it.each([
  ['http-api', supply],
  [
    'function-url',
    alarmsOf({ ...exampleConfig(), ingress: 'function-url', apiThrottle: undefined }),
  ],
] as const)(
  'ReceiverThrottled watches the receiver function (ingress %s): a throttle is a 429 SNS drops',
  (_ingress, built) => {
    const errors = get('ReceiverErrors', built)['Dimensions'];
    const throttled = get('ReceiverThrottled', built);
    expect(throttled['Dimensions']).toEqual(errors);
    expect(JSON.stringify(errors)).toMatch(/"FunctionName","Value":\{"Ref":"Receiver/);
    expect(String(throttled['AlarmDescription'])).toContain('429');
    expect(String(throttled['AlarmDescription'])).toContain('receiverReservedConcurrency');
  },
);

it('the dead-letter alarms watch the dead-letter queue, the age alarm the events queue, ReconcilerRunLost the reconciler failure queue', () => {
  const queueOf = (id: AlarmId) => JSON.stringify(get(id)['Dimensions']);
  expect(queueOf('DeadLetterQueueNotEmpty')).toContain('DeadLetterQueue');
  expect(queueOf('DeadLetterQueueOldestMessage')).toContain('DeadLetterQueue');
  expect(queueOf('QueueOldestMessageAge')).toContain('EventsQueue');
  expect(queueOf('ReconcilerRunLost')).toContain('ReconcilerFailures');
});

it('NoDeliveries counts the events queue by its QueueName, the same reference the age alarm uses (no new export)', () => {
  const dimensions = get('NoDeliveries')['Dimensions'] as { Name: string; Value: unknown }[];
  expect(dimensions.map((d) => d.Name)).toEqual(['QueueName']);
  expect(dimensions).toEqual(get('QueueOldestMessageAge')['Dimensions']);
  expect(JSON.stringify(dimensions)).toContain('EventsQueue');
  expect(JSON.stringify(dimensions)).not.toContain('DeadLetter');
});

describe('the README runbook', () => {
  it('has a row for every alarm the stack can create, and for no other', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    // The section runs to the next heading (later sections hold Logs Insights queries, whose
    // lines start with `|` too).
    const start = readme.indexOf('### Alarms and what to do');
    const section = readme.slice(start, readme.indexOf('\n#', start + 1));
    const rows = section
      .split('\n')
      .filter(
        (line) => line.startsWith('| ') && !line.startsWith('| alarm') && !line.startsWith('|---'),
      )
      .flatMap((line) => (line.split('|')[1] ?? '').split(',').map((name) => name.trim()));
    expect([...rows].sort()).toEqual([...ALARM_IDS].sort());
  });
});
