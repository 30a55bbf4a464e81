/**
 * What the cost model reads from the synthesized templates before pricing: the resources' shapes,
 * the references between them, which function logs where, what runs the reconciler, which queues
 * only hold dead letters and how many copies a backup plan keeps. Pure: no AWS, no clock.
 */
import { ENV_NAMES } from '../../lambdas/adapters/env';
import { copiesKept } from './backup';
import { SECONDS_PER_MONTH } from './prices';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface NamedTemplate {
  readonly stack: string;
  readonly resources: Record<string, CfnResource>;
}

export type Service = 'receiver' | 'worker' | 'reconciler';

export function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

/** `{ Ref: id }` or `{ 'Fn::GetAtt': [id, ...] }` anywhere inside a value: the logical ids it names. */
export function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const ids: string[] = [];
  if (typeof record['Ref'] === 'string') ids.push(record['Ref']);
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.push(getAtt[0]);
  for (const [key, inner] of Object.entries(record))
    if (key !== 'Ref' && key !== 'Fn::GetAtt') ids.push(...referencedIds(inner));
  return ids;
}

/** The POWERTOOLS_SERVICE_NAME of a function, if it is one of the connector's three. */
export function serviceOf(resource: CfnResource): Service | undefined {
  const environment = props(resource)['Environment'] as
    { Variables?: Record<string, unknown> } | undefined;
  const name = environment?.Variables?.[ENV_NAMES.powertoolsServiceName];
  return name === 'receiver' || name === 'worker' || name === 'reconciler' ? name : undefined;
}

/** Runs a month of a `rate(N minute(s)|hour(s)|day(s))` schedule; anything else is refused. */
export function runsPerMonth(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match)
    throw new Error(
      `cannot price schedule "${expression}": only rate(...) expressions are modelled`,
    );
  const seconds = { minute: 60, hour: 3600, day: 86400 }[
    match[2].replace(/s$/, '') as 'minute' | 'hour' | 'day'
  ];
  return SECONDS_PER_MONTH / (Number(match[1]) * seconds);
}

/** What the templates wire together, found before pricing: which function logs where, what runs it. */
export interface Wiring {
  serviceOfLogGroup: Map<string, Service | 'api-access'>;
  reconcilerRunsPerMonth: number;
  emailSubscriptions: Map<string, number>;
  deadLetterQueues: Set<string>;
  /** Backup copies each plan keeps, by the plan's logical id. */
  backupCopies: Map<string, number>;
}

export function wiring(templates: readonly NamedTemplate[]): Wiring {
  const w: Wiring = {
    serviceOfLogGroup: new Map(),
    reconcilerRunsPerMonth: 0,
    emailSubscriptions: new Map(),
    deadLetterQueues: new Set(),
    backupCopies: new Map(),
  };
  const services = new Map<string, Service>();
  for (const { resources } of templates) {
    for (const [id, resource] of Object.entries(resources)) {
      const service = resource.Type === 'AWS::Lambda::Function' ? serviceOf(resource) : undefined;
      if (service === undefined) continue;
      services.set(id, service);
      for (const logGroup of referencedIds(props(resource)['LoggingConfig']))
        w.serviceOfLogGroup.set(logGroup, service);
    }
  }
  for (const { resources } of templates) {
    for (const resource of Object.values(resources)) {
      const p = props(resource);
      if (resource.Type === 'AWS::Events::Rule' && typeof p['ScheduleExpression'] === 'string') {
        const targetsReconciler = referencedIds(p['Targets']).some(
          (id) => services.get(id) === 'reconciler',
        );
        if (targetsReconciler && p['State'] !== 'DISABLED')
          w.reconcilerRunsPerMonth += runsPerMonth(p['ScheduleExpression']);
      }
      if (resource.Type === 'AWS::ApiGatewayV2::Stage') {
        for (const logGroup of referencedIds(p['AccessLogSettings']))
          w.serviceOfLogGroup.set(logGroup, 'api-access');
      }
      if (resource.Type === 'AWS::SNS::Subscription' && p['Protocol'] === 'email') {
        for (const topic of referencedIds(p['TopicArn']))
          w.emailSubscriptions.set(topic, (w.emailSubscriptions.get(topic) ?? 0) + 1);
      }
      // Dead letters: a queue's redrive target, a rule target's dead-letter queue, a function's
      // on-failure destination.
      const deadLetters =
        resource.Type === 'AWS::SQS::Queue'
          ? p['RedrivePolicy']
          : resource.Type === 'AWS::Events::Rule'
            ? (p['Targets'] as { DeadLetterConfig?: unknown }[] | undefined)?.map(
                (t) => t.DeadLetterConfig,
              )
            : resource.Type === 'AWS::Lambda::EventInvokeConfig'
              ? (p['DestinationConfig'] as { OnFailure?: unknown } | undefined)?.OnFailure
              : undefined;
      for (const id of referencedIds(deadLetters)) w.deadLetterQueues.add(id);
    }
    for (const [id, resource] of Object.entries(resources))
      if (resource.Type === 'AWS::Backup::BackupPlan') w.backupCopies.set(id, copiesKept(resource));
  }
  return w;
}

/** Runs a month of every enabled schedule that targets the reconciler (0 without one). */
export function reconcilerRunsPerMonth(templates: readonly NamedTemplate[]): number {
  return wiring(templates).reconcilerRunsPerMonth;
}

/** What decides a function's log bytes and metrics beyond its own lines (lib/connector-function.ts). */
export interface FunctionLogging {
  /** LoggingConfig.SystemLogLevel; undefined: Lambda's default, every platform line (INFO). */
  readonly systemLogLevel: string | undefined;
  /** DETAIL_METRICS is `true`: the handlers publish the detail metrics. */
  readonly detailMetrics: boolean;
  /** Active X-Ray tracing: the sampled requests' lines carry the trace id. */
  readonly traced: boolean;
}

/** The logging settings of each connector function in the templates. */
export function functionLogging(
  templates: readonly NamedTemplate[],
): Partial<Record<Service, FunctionLogging>> {
  const found: Partial<Record<Service, FunctionLogging>> = {};
  for (const { resources } of templates) {
    for (const resource of Object.values(resources)) {
      const service = resource.Type === 'AWS::Lambda::Function' ? serviceOf(resource) : undefined;
      if (service === undefined) continue;
      const p = props(resource);
      const level = (p['LoggingConfig'] as { SystemLogLevel?: unknown } | undefined)
        ?.SystemLogLevel;
      const variables = (p['Environment'] as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      found[service] = {
        systemLogLevel: typeof level === 'string' ? level : undefined,
        detailMetrics: variables?.[ENV_NAMES.detailMetrics] === 'true',
        traced: (p['TracingConfig'] as { Mode?: unknown } | undefined)?.Mode === 'Active',
      };
    }
  }
  return found;
}
