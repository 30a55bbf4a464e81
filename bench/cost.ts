/**
 * Monthly cost at idle and the marginal cost per million marketplace events, from the synthesized
 * templates (both stacks, built in process from the config as `cdk synth` builds them, bundling
 * skipped) and the public prices in cost/prices.ts. Per-event counts are measured by playing the
 * sandbox scenario with every AWS SDK call counted (cost/measure.ts); durations and the figures
 * the sandbox cannot show are labelled assumptions (cost/usage.ts). Free tier not included.
 *
 * Options: --config=<connector config> (default config/connector.example.json). Beside the config
 * as given, its variants with the cost options (tracing, monitoring.dashboard,
 * monitoring.detailMetrics) all off ("lean"), all on ("observed"), the detail metrics alone
 * ("detailed"), the backup plan ("backed-up"), the worker at its former 512 MB ("worker-512"), a
 * function URL instead of the HTTP API ("function-url"), a provisioned, auto-scaled table ("provisioned"; its per-million figure a
 * lower bound: steady traffic, perfect tracking), the same with its capacity used at 35%
 * ("provisioned@35%"), a function URL with a provisioned table ("frugal"), AWS's keys instead of
 * the connector's two ("aws-keys") and all three ("frugal-aws-keys") are priced from the same
 * measurement (cost/variants.ts), each config checked by the schema first; then the event volume
 * above which each provisioned variant costs less than "lean", and which of them (the config as
 * given included) meet both goals.
 * Last line, for the config as given: `cost: idle=<usd>/month per-million=<usd>`.
 */
import * as path from 'node:path';
import { EXAMPLE_CONFIG_FILE, loadConnectorConfig } from '../lib/load-config';
import { PROJECT_ROOT } from '../test/infra/infra-support';
import { measureSandbox } from './cost/measure';
import type { CostLine, Sourced, Usage } from './cost/model';
import { FREE_TIER_NOTES, PRICE_DATE, PRICE_REGION, PRICES, usdPer } from './cost/prices';
import { measureReceiver } from './cost/duration';
import {
  breakEvenMillions,
  costFigures,
  meetsGoals,
  priceConfig,
  variantConfig,
  VARIANTS,
  type PricedConfig,
} from './cost/variants';
import { BenchmarkError } from './load/stats';

export const description =
  'Monthly cost at idle and per million marketplace events, from the synthesized templates and public prices';

/** The issue's goals, in US dollars. */
export const GOALS = { idle: 5, perMillion: 5 } as const;

function parseOptions(args: readonly string[]): { config: string } {
  let config = path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE);
  for (const arg of args) {
    const match = /^--config=(.+)$/.exec(arg);
    if (!match)
      throw new BenchmarkError(`unknown option ${arg} (use --config=<connector config file>)`);
    config = path.resolve(match[1]);
  }
  return { config };
}

const money = (value: number): string =>
  value === 0 ? '-' : value < 0.005 ? '<0.01' : value.toFixed(2);

function table(lines: readonly CostLine[]): string[] {
  const rows = [...lines].sort(
    (a, b) => b.idle + b.perMillion - (a.idle + a.perMillion) || a.type.localeCompare(b.type),
  );
  const out = [
    `${'resource'.padEnd(40)}${'type'.padEnd(34)}${'idle $/mo'.padStart(10)}${'$/M events'.padStart(11)}  detail`,
  ];
  for (const line of rows) {
    if (line.status === 'free') continue;
    out.push(
      `${line.id.slice(0, 38).padEnd(40)}${line.type.padEnd(34)}${money(line.idle).padStart(10)}${money(line.perMillion).padStart(11)}  ${line.detail}`,
    );
  }
  const free = rows.filter((line) => line.status === 'free');
  const freeTypes = [...new Set(free.map((line) => line.type))].sort();
  out.push(`(+ ${free.length} resources of no charge of their own: ${freeTypes.join(', ')})`);
  return out;
}

function assumptions(usage: Usage): string[] {
  const out: string[] = [];
  const show = (name: string, figure: Sourced<unknown>) => {
    const value =
      typeof figure.value === 'number'
        ? String(Math.round(figure.value * 100) / 100)
        : JSON.stringify(figure.value);
    out.push(`  ${name} = ${value}  (${figure.source})`);
  };
  for (const [name, figure] of Object.entries(usage)) {
    if ('source' in figure) show(name, figure as Sourced<unknown>);
    else
      for (const [inner, f] of Object.entries(figure as Record<string, Sourced<unknown>>))
        show(`${name}.${inner}`, f);
  }
  return out;
}

export async function run(args: readonly string[]): Promise<void> {
  // The SDK's notice about its future Node.js support is noise here, as in the sandbox.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions(args);
  const config = loadConnectorConfig(options.config);
  const measurement = await measureSandbox();
  const receiver = await measureReceiver();
  const priced = priceConfig(config, measurement, receiver);
  const { usage, lines } = priced;
  const sum = priced.totals;
  const variants = VARIANTS.map((variant) => ({
    variant,
    priced: priceConfig(variantConfig(variant, config), measurement, receiver),
  }));

  console.log(
    `Cost of the connector: ${path.relative(PROJECT_ROOT, options.config)}, both stacks as synthesized`,
  );
  console.log(
    `Prices: ${PRICE_REGION}, as of ${PRICE_DATE}, on-demand list prices without any free tier (sources per price in bench/cost/prices.ts)\n`,
  );
  for (const row of table(lines)) console.log(row);

  console.log(`\nMeasured in the sandbox (${measurement.summary}; ${measurement.events} events):`);
  console.log(
    `  DynamoDB calls by the connector: ${Object.entries(measurement.dynamoByMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `  = ${(measurement.wru / measurement.events).toFixed(2)} WRU and ${(measurement.rru / measurement.events).toFixed(2)} RRU per event (${measurement.failedConditionalWrites} failed conditional write(s) counted as 1 WRU)`,
  );
  console.log(
    `  SQS: ${measurement.sqs.enqueues} enqueues, ${measurement.sqs.handBacks} hand-backs, ${measurement.sqs.visibilityChanges} visibility changes; ${measurement.notifications} review notifications`,
  );
  console.log('\nFigures used (measured or assumed):');
  for (const line of assumptions(usage)) console.log(line);

  console.log(
    `\nNot included (the always-free tier would lower a small account's bill): ${FREE_TIER_NOTES.join('; ')}.`,
  );
  console.log(
    `Not counted: data transfer (SNS deliveries in are free; marketplace calls out are a few KB), CloudFormation, the CDK bootstrap bucket.`,
  );
  if (sum.unpriced.length > 0) {
    console.log(
      `\nUNPRICED resources (add them to bench/cost/model.ts): ${sum.unpriced.map((line) => `${line.stack}/${line.id} (${line.type})`).join(', ')}`,
    );
  }

  console.log(
    `\nGoal: idle <= ${GOALS.idle} USD/month (${sum.idle <= GOALS.idle ? 'met' : 'NOT met'}), <= ${GOALS.perMillion} USD per million events (${sum.perMillion <= GOALS.perMillion ? 'met' : 'NOT met'})`,
  );
  console.log('Options (the same measurement priced against each variant of the config):');
  console.log(`  ${'as configured'.padEnd(21)}${costFigures(sum)}  (${optionsOf(config)})`);
  for (const { variant, priced: v } of variants)
    console.log(`  ${variant.name.padEnd(21)}${costFigures(v.totals)}  (${variant.sets})`);
  for (const line of provisionedBreakEven(variants)) console.log(`  ${line}`);
  const meeting = [
    ...(meetsGoals(sum, GOALS) ? ['as configured'] : []),
    ...variants.filter(({ priced: v }) => meetsGoals(v.totals, GOALS)).map((v) => v.variant.name),
  ];
  // A provisioned table's per million is its best case: say so beside the names it qualifies.
  const provisioned = variants
    .filter(({ variant, priced: v }) => meeting.includes(variant.name) && isProvisioned(v))
    .map(({ variant }) => variant.name);
  const caveat =
    provisioned.length > 0
      ? ` (${provisioned.join(', ')}: per million at steady traffic and perfect capacity tracking)`
      : '';
  console.log(
    `  both goals (idle <= ${GOALS.idle}, per million <= ${GOALS.perMillion}) met by: ${meeting.length > 0 ? meeting.join(', ') : 'none of these'}${caveat}`,
  );
  console.log('Levers not taken (each computed from the lines above):');
  for (const lever of levers(priced)) console.log(`  ${lever}`);
  console.log(`cost: ${costFigures(sum)}`);
}

function optionsOf(config: {
  tracing: boolean;
  monitoring: { dashboard: boolean; detailMetrics: boolean };
  ingress: string;
  table: { billing: string };
  workerMemoryMb: number;
  encryption: { keys: string };
}): string {
  return `tracing: ${config.tracing}, monitoring.dashboard: ${config.monitoring.dashboard}, monitoring.detailMetrics: ${config.monitoring.detailMetrics}, ingress: ${config.ingress}, table.billing: ${config.table.billing}, workerMemoryMb: ${config.workerMemoryMb}, encryption.keys: ${config.encryption.keys}`;
}

/** When the provisioned variants cost less than lean (on demand): the event volume above which. */
function provisionedBreakEven(
  variants: readonly { variant: { name: string }; priced: PricedConfig }[],
): string[] {
  const totalsOf = (name: string) => variants.find((v) => v.variant.name === name)?.priced.totals;
  const lean = totalsOf('lean');
  if (lean === undefined) return [];
  return variants
    .filter(({ variant }) => variant.name.startsWith('provisioned'))
    .map(({ variant, priced }) => {
      const { idle, perMillion } = priced.totals;
      const above = breakEvenMillions(lean, priced.totals);
      const verdict =
        above === undefined
          ? 'never cheaper'
          : `cheaper above ${above.toFixed(2)} million events a month`;
      return `${variant.name} against lean: ${signed(idle - lean.idle)} idle, ${signed(perMillion - lean.perMillion)} per million: ${verdict}`;
    });
}

/** Whether a priced config's table holds provisioned capacity (its per million then a best case). */
function isProvisioned({ templates }: PricedConfig): boolean {
  return templates.some(({ resources }) =>
    Object.values(resources).some(
      (r) =>
        r.Type === 'AWS::DynamoDB::Table' && r.Properties?.['BillingMode'] !== 'PAY_PER_REQUEST',
    ),
  );
}

const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;

/** What the larger costs the options do not reach would save: the proposals to decide on. */
function levers({ usage, lines }: PricedConfig): string[] {
  const perMillionOf = (match: (line: CostLine) => boolean) =>
    lines.filter(match).reduce((sum, line) => sum + line.perMillion, 0);
  const logs = perMillionOf((line) => line.type === 'AWS::Logs::LogGroup');
  const logBytes =
    usage.logBytesPerEvent.receiver.value +
    usage.logBytesPerEvent.worker.value +
    usage.accessLogBytesPerRequest.value;
  const wru = usage.dynamoWruPerEvent.value;
  return [
    `fewer DynamoDB writes per event (now ${wru.toFixed(1)} WRU, ${usdPer(PRICES.dynamoWriteRequestUnit, 1e6 * wru).toFixed(2)}/M): per million -${usdPer(PRICES.dynamoWriteRequestUnit, 1e6).toFixed(3)} per write unit saved`,
    `fewer log bytes per event (now ${Math.round(logBytes)} B, ${logs.toFixed(2)}/M): per million -${((logs / logBytes) * 100).toFixed(3)} per 100 B saved`,
  ];
}
