/**
 * The cost of one config, and of the variants of it that the cost options give (config `tracing`,
 * `monitoring.dashboard`, `monitoring.detailMetrics`, `backup`, `ingress`, `table.billing`,
 * `workerMemoryMb`, `encryption.keys`): the same sandbox measurement priced against each variant's templates, so the
 * differences are the options' and nothing else's.
 */
import * as v from 'valibot';
import { parseConnectorConfig, type ConnectorConfig } from '../../lambdas/core/config';
import { encryptionSettingsSchema } from '../../lambdas/core/encryption-config';
import {
  backupSettingsSchema,
  DEFAULT_PROVISIONED_CAPACITY,
} from '../../lambdas/core/table-config';
import { DEFAULT_WORKER_MEMORY_MB } from '../../lambdas/core/worker-config';
import { REAL_USE } from './dynamo';
import type { DurationSample } from './duration';
import type { SandboxMeasurement } from './measure';
import {
  costLines,
  reconcilerRunsPerMonth,
  serviceOf,
  totals,
  type CostLine,
  type CostTotals,
  type NamedTemplate,
  type Service,
  type Usage,
} from './model';
import { synthesizedTemplates } from './templates';
import { receiverBilledMs, usageFrom, workerBilledMs } from './usage';
import { functionLogging, wiring } from './wiring';

export interface CostVariant {
  readonly name: string;
  /** What the variant sets, in config terms. */
  readonly sets: string;
  readonly apply: (config: ConnectorConfig) => ConnectorConfig;
}

/** The backup settings when `backup` is left out: no plan. */
const DEFAULT_BACKUP = v.parse(backupSettingsSchema, {});
/** The encryption settings when `encryption` is left out: the connector's own keys. */
const DEFAULT_ENCRYPTION = v.parse(encryptionSettingsSchema, {});

// The HTTP API, the table on demand, no backup plan, the worker's default memory and the
// connector's own keys (the defaults) in every variant but those that set them, whatever the
// config says: `lean` is the defaults.
const withOptions = (config: ConnectorConfig, on: boolean): ConnectorConfig => {
  const httpApi: ConnectorConfig = { ...config, ingress: 'http-api' };
  delete httpApi.receiverReservedConcurrency;
  return {
    ...httpApi,
    tracing: on,
    monitoring: { ...config.monitoring, dashboard: on, detailMetrics: on },
    table: { billing: 'on-demand' },
    backup: DEFAULT_BACKUP,
    workerMemoryMb: DEFAULT_WORKER_MEMORY_MB,
    encryption: DEFAULT_ENCRYPTION,
  };
};

/** The worker's memory before it was measured and made configurable (worker-config.ts). */
const FORMER_WORKER_MEMORY_MB = 512;

const withFunctionUrl = (config: ConnectorConfig): ConnectorConfig => ({
  ...config,
  ingress: 'function-url',
  // It bounds the HTTP API only: the schema refuses it with a function URL.
  apiThrottle: undefined,
});

const withProvisionedTable = (
  config: ConnectorConfig,
  targetUtilization?: number,
): ConnectorConfig => ({
  ...config,
  table: {
    billing: 'provisioned',
    ...(targetUtilization !== undefined ? { targetUtilization } : {}),
  },
});

const withAwsKeys = (config: ConnectorConfig): ConnectorConfig => ({
  ...config,
  encryption: { keys: 'aws-managed' },
});

const { writeCapacity, readCapacity, targetUtilization } = DEFAULT_PROVISIONED_CAPACITY;
const REAL_USE_PERCENT = Math.round(REAL_USE * 100);
const PROVISIONED_RANGE = `WCU ${writeCapacity.min}-${writeCapacity.max}, RCU ${readCapacity.min}-${readCapacity.max}, target ${targetUtilization}%`;

/**
 * The config with every cost option off (the defaults), with tracing and the dashboard on (which
 * turns the detail metrics on too), with the detail metrics alone, with the backup plan on, with
 * the worker at its former 512 MB, and with a function URL instead of the HTTP API, with the table's capacity provisioned (auto scaled,
 * the default range and target; and the same capacity used at `REAL_USE` only), with both of
 * the function URL and the provisioned table, under AWS's keys instead of the connector's two,
 * and with all three of those (at perfect tracking, and used at `REAL_USE` only).
 */
export const VARIANTS: readonly CostVariant[] = [
  {
    name: 'lean',
    sets: `tracing: false, monitoring.dashboard: false, monitoring.detailMetrics: false, ingress: http-api, table.billing: on-demand, backup off, workerMemoryMb: ${DEFAULT_WORKER_MEMORY_MB}, encryption.keys: customer-managed (the defaults)`,
    apply: (config) => withOptions(config, false),
  },
  {
    name: 'observed',
    sets: 'tracing: true, monitoring.dashboard: true (detail metrics with it)',
    apply: (config) => withOptions(config, true),
  },
  {
    name: 'detailed',
    sets: 'monitoring.detailMetrics: true (defaults otherwise)',
    apply: (config) => {
      const lean = withOptions(config, false);
      return { ...lean, monitoring: { ...lean.monitoring, detailMetrics: true } };
    },
  },
  {
    name: 'backed-up',
    sets: 'backup: { enabled: true, retentionDays: 35 } (defaults otherwise)',
    apply: (config) => ({
      ...withOptions(config, false),
      backup: { enabled: true, retentionDays: 35 },
    }),
  },
  {
    name: `worker-${FORMER_WORKER_MEMORY_MB}`,
    sets: `workerMemoryMb: ${FORMER_WORKER_MEMORY_MB} (the former default: the worker's own code and cold start twice as fast; defaults otherwise)`,
    apply: (config) => ({
      ...withOptions(config, false),
      workerMemoryMb: FORMER_WORKER_MEMORY_MB,
    }),
  },
  {
    name: 'function-url',
    sets: 'ingress: "function-url" (no stage throttle, no access log; defaults otherwise)',
    apply: (config) => withFunctionUrl(withOptions(config, false)),
  },
  {
    name: 'provisioned',
    sets: `table: { billing: "provisioned" } (${PROVISIONED_RANGE}; defaults otherwise); per million a lower bound: steady traffic, perfect tracking`,
    apply: (config) => withProvisionedTable(withOptions(config, false)),
  },
  {
    name: `provisioned@${REAL_USE_PERCENT}%`,
    sets: `as provisioned, the held capacity used at ${REAL_USE_PERCENT}% (bursts, scaling lag, slow scale-in), priced as its config with targetUtilization: ${REAL_USE_PERCENT}`,
    apply: (config) => withProvisionedTable(withOptions(config, false), REAL_USE_PERCENT),
  },
  {
    name: 'frugal',
    sets: 'ingress: "function-url" and table: { billing: "provisioned" } (defaults otherwise)',
    apply: (config) => withProvisionedTable(withFunctionUrl(withOptions(config, false))),
  },
  {
    name: 'aws-keys',
    sets: 'encryption: { keys: "aws-managed" } (no customer managed key: the services\' own keys, the alarm topic unencrypted; defaults otherwise)',
    apply: (config) => withAwsKeys(withOptions(config, false)),
  },
  {
    name: 'frugal-aws-keys',
    sets: 'as frugal, with encryption: { keys: "aws-managed" }',
    apply: (config) =>
      withAwsKeys(withProvisionedTable(withFunctionUrl(withOptions(config, false)))),
  },
  {
    name: `frugal-aws-keys@${REAL_USE_PERCENT}%`,
    sets: `as frugal-aws-keys, the held capacity used at ${REAL_USE_PERCENT}% (as provisioned@${REAL_USE_PERCENT}%): its per million at bursty traffic`,
    apply: (config) =>
      withAwsKeys(
        withProvisionedTable(withFunctionUrl(withOptions(config, false)), REAL_USE_PERCENT),
      ),
  },
];

export class CostModelError extends Error {
  override readonly name = 'CostModelError';
}

/**
 * The variant's config, as the schema parses it: a variant that makes a config the schema refuses
 * (an option set for the other ingress, say) throws the ConfigError naming each field, rather
 * than pricing a stack nobody can deploy.
 */
export function variantConfig(variant: CostVariant, config: ConnectorConfig): ConnectorConfig {
  return parseConnectorConfig(variant.apply(config), `config of the cost variant ${variant.name}`);
}

/**
 * Events a month (in millions) above which `other` (more at idle, less per event) costs less than
 * `base`: 0 when it never costs more; undefined when it saves nothing per event (then no volume
 * makes it the cheaper).
 */
export function breakEvenMillions(
  base: Pick<CostTotals, 'idle' | 'perMillion'>,
  other: Pick<CostTotals, 'idle' | 'perMillion'>,
): number | undefined {
  const extraIdle = other.idle - base.idle;
  const saving = base.perMillion - other.perMillion;
  if (extraIdle <= 0 && saving >= 0) return 0;
  return saving > 0 ? extraIdle / saving : undefined;
}

/** MemorySize of a connector function in the templates (Lambda's default 128 when unset). */
export function memoryOf(templates: readonly NamedTemplate[], service: Service): number {
  for (const { resources } of templates) {
    for (const resource of Object.values(resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && serviceOf(resource) === service) {
        const memory = resource.Properties?.['MemorySize'];
        return typeof memory === 'number' ? memory : 128;
      }
    }
  }
  throw new CostModelError(`no ${service} function in the templates`);
}

export interface PricedConfig {
  readonly templates: NamedTemplate[];
  readonly usage: Usage;
  readonly lines: CostLine[];
  readonly totals: CostTotals;
}

/** Prices one config: its templates, with the usage a measurement gives. */
export function priceConfig(
  config: ConnectorConfig,
  measurement: SandboxMeasurement,
  receiver: DurationSample,
): PricedConfig {
  const templates = synthesizedTemplates(config);
  const usage = usageFrom(
    measurement,
    reconcilerRunsPerMonth(templates),
    receiverBilledMs(receiver, memoryOf(templates, 'receiver')),
    workerBilledMs(measurement, memoryOf(templates, 'worker')),
    functionLogging(templates),
    [...wiring(templates).serviceOfLogGroup.values()].includes('api-access'),
  );
  const lines = costLines(templates, usage);
  return { templates, usage, lines, totals: totals(lines) };
}

/** Idle and per-million ceilings, in US dollars (the goals: bench/cost.ts GOALS). */
export interface CostGoals {
  readonly idle: number;
  readonly perMillion: number;
}

/** Whether a priced config stays within both goals. */
export function meetsGoals(
  sum: Pick<CostTotals, 'idle' | 'perMillion'>,
  goals: CostGoals,
): boolean {
  return sum.idle <= goals.idle && sum.perMillion <= goals.perMillion;
}

/** `idle=<usd>/month per-million=<usd>`, as the bench's last line writes it. */
export function costFigures(sum: Pick<CostTotals, 'idle' | 'perMillion'>): string {
  return `idle=${sum.idle.toFixed(2)}/month per-million=${sum.perMillion.toFixed(2)}`;
}
