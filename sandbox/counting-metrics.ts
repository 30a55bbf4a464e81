/**
 * The worker's metrics in a sandbox drill: Powertools' Metrics, but each metric added is summed by
 * name in memory instead of printed as EMF, so a drill can read what the worker's alarms would
 * have seen (e.g. RecordsFailed) by the very names the worker emits.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';

export class CountingMetrics extends Metrics {
  private readonly sums = new Map<string, number>();

  constructor() {
    super({ namespace: 'Sandbox', serviceName: 'worker' });
  }

  override addMetric(name: string, _unit: MetricUnit, value: number): this {
    this.sums.set(name, (this.sums.get(name) ?? 0) + value);
    return this;
  }

  /** Nothing is stored for publishing: the sums are the whole output. */
  override hasStoredMetrics(): boolean {
    return false;
  }

  override publishStoredMetrics(): this {
    return this;
  }

  /** The sum of a metric so far (0 when never added). */
  sum(name: string): number {
    return this.sums.get(name) ?? 0;
  }

  /** Every metric added so far, by name. */
  all(): Record<string, number> {
    return Object.fromEntries([...this.sums.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
