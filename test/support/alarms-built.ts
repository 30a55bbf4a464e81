/**
 * For the alarm suites (test/infra/alarms-runbook.test.ts and test/infra/alarms-config.test.ts):
 * the alarms of a synthesised app stack by runbook id, with the alarm topic, and `get` for one of
 * them, from a supply stack with a provisioned table unless told which. That stack is synthesised
 * once, on first use, so a suite that never asks for it pays nothing for it.
 */
import type { ConnectorConfig } from '../../lambdas/core/config';
import { ALARM_IDS, type AlarmId } from '../../lib/alarm-runbook';
import {
  build,
  type CfnResources,
  exampleConfig,
  onlyResource,
  resourcesOf,
} from '../infra/infra-support';

export type Props = Record<string, unknown>;

/** An app stack's alarms by runbook id, its alarm topic's logical id, and the template. */
export interface BuiltAlarms {
  byId: Map<AlarmId, Props>;
  topicId: string;
  template: ReturnType<typeof build>['appTemplate'];
}

/** Synthesises the stacks of `config` and finds the app stack's alarms and alarm topic. */
export function alarmsOf(config: ConnectorConfig): BuiltAlarms {
  const template = build(config).appTemplate;
  const topicId = onlyResource(
    template,
    'AWS::SNS::Topic',
    (p) => p['DisplayName'] === 'AlayaCare connector alarms',
  ).id;
  const resources: CfnResources = resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const byId = new Map<AlarmId, Props>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const id = ALARM_IDS.find((candidate) =>
      new RegExp(`^Monitoring${candidate}[0-9A-F]{8}$`).test(logicalId),
    );
    if (id === undefined) throw new Error(`alarm ${logicalId} has no runbook entry`);
    byId.set(id, resource.Properties ?? {});
  }
  return { byId, topicId, template };
}

let supply: BuiltAlarms | undefined;

/**
 * A supply stack with a provisioned table, so every alarm is built (TableThrottled only exists for
 * one); synthesised on the first call only.
 */
export function supplyAlarms(): BuiltAlarms {
  supply ??= alarmsOf({ ...exampleConfig(), table: { billing: 'provisioned' } });
  return supply;
}

/** The alarm `id` of `from` (by default the supply stack's); throws when there is none. */
export const get = (id: AlarmId, from = supplyAlarms()) => {
  const alarm = from.byId.get(id);
  if (alarm === undefined) throw new Error(`no ${id} alarm`);
  return alarm;
};
