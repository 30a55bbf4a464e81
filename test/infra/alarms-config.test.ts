/**
 * Covers how the app stack's alarms (lib/monitoring.ts) follow the config: TableThrottled only with
 * a provisioned table (its metrics: table-capacity.test.ts), per role (demand: no reconciler
 * alarms, a longer silence), and the switches of the "no SNS delivery" alarm (hours, business
 * hours, disabled). Every alarm against its runbook entry: alarms-runbook.test.ts.
 */
import { DEFAULT_SILENCE_HOURS } from '../../lambdas/core/monitoring-config';
import { ALARM_IDS } from '../../lib/alarm-runbook';
import { alarmsOf, get } from '../support/alarms-built';
import { exampleConfig } from './infra-support';

it('the example config (an on-demand table) has every alarm but TableThrottled', () => {
  const onDemand = alarmsOf(exampleConfig());
  expect([...onDemand.byId.keys()].sort()).toEqual(
    ALARM_IDS.filter((id) => id !== 'TableThrottled').sort(),
  );
});

describe('role demand', () => {
  const demand = alarmsOf({ ...exampleConfig(), role: 'demand' });

  it('has no reconciler alarms (there is no reconciler) and waits a day of silence by default', () => {
    expect([...demand.byId.keys()].filter((id) => id.startsWith('Reconciler'))).toEqual([]);
    expect(get('NoDeliveries', demand)).toEqual(
      expect.objectContaining({ EvaluationPeriods: 24, DatapointsToAlarm: 24, Period: 3600 }),
    );
    expect(DEFAULT_SILENCE_HOURS.demand).toBe(24);
  });
});

describe('no SNS delivery, configured', () => {
  it('waits the configured hours', () => {
    const built = alarmsOf({
      ...exampleConfig(),
      monitoring: { ...exampleConfig().monitoring, silence: { enabled: true, hours: 3 } },
    });
    expect(get('NoDeliveries', built)).toEqual(
      expect.objectContaining({ EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1 }),
    );
  });

  it('is left out when disabled', () => {
    const built = alarmsOf({
      ...exampleConfig(),
      monitoring: { ...exampleConfig().monitoring, silence: { enabled: false } },
    });
    expect(built.byId.has('NoDeliveries')).toBe(false);
  });

  it('with business hours, counts deliveries only in their UTC hours (both sides of daylight saving) on the events queue’s clock', () => {
    const built = alarmsOf({
      ...exampleConfig(),
      monitoring: {
        ...exampleConfig().monitoring,
        silence: {
          enabled: true,
          hours: 4,
          businessHours: {
            timeZone: 'America/Toronto',
            start: 8,
            end: 18,
            days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          },
        },
      },
    });
    const alarm = get('NoDeliveries', built);
    expect(alarm).toEqual(
      expect.objectContaining({
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 4,
        DatapointsToAlarm: 4,
        TreatMissingData: 'breaching',
      }),
    );
    expect(alarm).not.toHaveProperty('MetricName');
    const queries = alarm['Metrics'] as Array<Record<string, unknown>>;
    const expression = queries.find((q) => q['Expression'] !== undefined);
    // 08:00-18:00 Toronto is 13-23 UTC in winter (EST) and 12-22 in summer (EDT): hours 12 to 22 inclusive.
    expect(expression).toEqual(
      expect.objectContaining({
        Expression:
          'IF(((DAY(clock)>=1 AND DAY(clock)<=5) AND (HOUR(clock)>=12 AND HOUR(clock)<=22)), FILL(deliveries, 0), 1)',
        ReturnData: true,
      }),
    );
    const byId = (id: string) => queries.find((q) => q['Id'] === id)?.['MetricStat'];
    // The events queue's own count of messages sent, on the same queue as the clock.
    expect(byId('deliveries')).toEqual(
      expect.objectContaining({
        Metric: expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'NumberOfMessagesSent',
        }),
        Period: 3600,
        Stat: 'Sum',
      }),
    );
    const dimensionsOf = (id: string) =>
      (byId(id) as { Metric: { Dimensions: unknown } } | undefined)?.Metric.Dimensions;
    expect(dimensionsOf('deliveries')).toEqual(dimensionsOf('clock'));
    expect(dimensionsOf('deliveries')).toEqual(get('QueueOldestMessageAge', built)['Dimensions']);
    expect(byId('clock')).toEqual(
      expect.objectContaining({
        Metric: expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
        }),
        Period: 3600,
      }),
    );
    expect(JSON.stringify(byId('clock'))).toContain('EventsQueue');
    expect(String(alarm['AlarmDescription'])).toContain(
      '4 business hours without a delivery, mon,tue,wed,thu,fri 8:00-18:00 America/Toronto',
    );
  });
});
