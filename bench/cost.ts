/**
 * Monthly cost at idle and the marginal cost per million marketplace events, from the synthesized
 * templates (both stacks, built in process from the config as `cdk synth` builds them, bundling
 * skipped) and the public prices in cost-prices.ts. Per-event counts are measured by playing the
 * sandbox scenario with every AWS SDK call counted (cost-measure.ts); durations and the figures
 * the sandbox cannot show are labelled assumptions (cost-usage.ts). Free tier not included.
 *
 * Options: --config=<connector config> (default config/connector.example.json).
 * Last line: `cost: idle=<usd>/month per-million=<usd>`.
 */
import * as path from 'node:path';
import { EXAMPLE_CONFIG_FILE, loadConnectorConfig } from '../lib/load-config';
import { PROJECT_ROOT } from '../test/infra/infra-support';
import { measureSandbox } from './cost-measure';
import { costLines, reconcilerRunsPerMonth, serviceOf, totals, type CostLine, type NamedTemplate, type Service, type Sourced, type Usage } from './cost-model';
import { FREE_TIER_NOTES, PRICE_DATE, PRICE_REGION, PRICES, usdPer } from './cost-prices';
import { synthesizedTemplates } from './cost-templates';
import { receiverBilledMs, usageFrom } from './cost-usage';
import { measureReceiver } from './cost-duration';

export const description = 'Monthly cost at idle and per million marketplace events, from the synthesized templates and public prices';

/** The issue's goals, in US dollars. */
export const GOALS = { idle: 5, perMillion: 5 } as const;

class BenchmarkError extends Error {
  override readonly name = 'BenchmarkError';
}

function parseOptions(args: readonly string[]): { config: string } {
  let config = path.join(PROJECT_ROOT, EXAMPLE_CONFIG_FILE);
  for (const arg of args) {
    const match = /^--config=(.+)$/.exec(arg);
    if (!match) throw new BenchmarkError(`unknown option ${arg} (use --config=<connector config file>)`);
    config = path.resolve(match[1]);
  }
  return { config };
}

/** MemorySize of a connector function in the templates (Lambda's default 128 when unset). */
function memoryOf(templates: readonly NamedTemplate[], service: Service): number {
  for (const { resources } of templates) {
    for (const resource of Object.values(resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && serviceOf(resource) === service) {
        const memory = resource.Properties?.['MemorySize'];
        return typeof memory === 'number' ? memory : 128;
      }
    }
  }
  throw new BenchmarkError(`no ${service} function in the templates`);
}

const money = (value: number): string => (value === 0 ? '-' : value < 0.005 ? '<0.01' : value.toFixed(2));

function table(lines: readonly CostLine[]): string[] {
  const rows = [...lines].sort((a, b) => b.idle + b.perMillion - (a.idle + a.perMillion) || a.type.localeCompare(b.type));
  const out = [`${'resource'.padEnd(40)}${'type'.padEnd(34)}${'idle $/mo'.padStart(10)}${'$/M events'.padStart(11)}  detail`];
  for (const line of rows) {
    if (line.status === 'free') continue;
    out.push(`${line.id.slice(0, 38).padEnd(40)}${line.type.padEnd(34)}${money(line.idle).padStart(10)}${money(line.perMillion).padStart(11)}  ${line.detail}`);
  }
  const free = rows.filter((line) => line.status === 'free');
  const freeTypes = [...new Set(free.map((line) => line.type))].sort();
  out.push(`(+ ${free.length} resources of no charge of their own: ${freeTypes.join(', ')})`);
  return out;
}

function assumptions(usage: Usage): string[] {
  const out: string[] = [];
  const show = (name: string, figure: Sourced<unknown>) => {
    const value = typeof figure.value === 'number' ? String(Math.round(figure.value * 100) / 100) : JSON.stringify(figure.value);
    out.push(`  ${name} = ${value}  (${figure.source})`);
  };
  for (const [name, figure] of Object.entries(usage)) {
    if ('source' in figure) show(name, figure as Sourced<unknown>);
    else for (const [inner, f] of Object.entries(figure as Record<string, Sourced<unknown>>)) show(`${name}.${inner}`, f);
  }
  return out;
}

export async function run(args: readonly string[]): Promise<void> {
  // The SDK's notice about its future Node.js support is noise here, as in the sandbox.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseOptions(args);
  const templates = synthesizedTemplates(loadConnectorConfig(options.config));
  const measurement = await measureSandbox();
  const receiver = await measureReceiver();
  const usage = usageFrom(measurement, reconcilerRunsPerMonth(templates), receiverBilledMs(receiver, memoryOf(templates, 'receiver')));
  const lines = costLines(templates, usage);
  const sum = totals(lines);

  console.log(`Cost of the connector: ${path.relative(PROJECT_ROOT, options.config)}, both stacks as synthesized`);
  console.log(`Prices: ${PRICE_REGION}, as of ${PRICE_DATE}, on-demand list prices without any free tier (sources per price in bench/cost-prices.ts)\n`);
  for (const row of table(lines)) console.log(row);

  console.log(`\nMeasured in the sandbox (${measurement.summary}; ${measurement.events} events):`);
  console.log(`  DynamoDB calls by the connector: ${Object.entries(measurement.dynamoByMethod).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  = ${(measurement.wru / measurement.events).toFixed(2)} WRU and ${(measurement.rru / measurement.events).toFixed(2)} RRU per event (${measurement.failedConditionalWrites} failed conditional write(s) counted as 1 WRU)`);
  console.log(`  SQS: ${measurement.sqs.enqueues} enqueues, ${measurement.sqs.handBacks} hand-backs, ${measurement.sqs.visibilityChanges} visibility changes; ${measurement.notifications} review notifications`);
  console.log('\nFigures used (measured or assumed):');
  for (const line of assumptions(usage)) console.log(line);

  console.log(`\nNot included (the always-free tier would lower a small account's bill): ${FREE_TIER_NOTES.join('; ')}.`);
  console.log(`Not counted: data transfer (SNS deliveries in are free; marketplace calls out are a few KB), CloudFormation, the CDK bootstrap bucket.`);
  if (sum.unpriced.length > 0) {
    console.log(`\nUNPRICED resources (add them to bench/cost-model.ts): ${sum.unpriced.map((line) => `${line.stack}/${line.id} (${line.type})`).join(', ')}`);
  }

  console.log(`\nGoal: idle <= ${GOALS.idle} USD/month (${sum.idle <= GOALS.idle ? 'met' : 'NOT met'}), <= ${GOALS.perMillion} USD per million events (${sum.perMillion <= GOALS.perMillion ? 'met' : 'NOT met'})`);
  console.log('Levers (none applied; each computed from the lines above):');
  for (const lever of levers(templates, usage, lines)) console.log(`  ${lever}`);
  console.log(`cost: idle=${sum.idle.toFixed(2)}/month per-million=${sum.perMillion.toFixed(2)}`);
}

/** What each fixed or large cost would save if it were made optional: the trade-offs to decide on. */
function levers(templates: readonly NamedTemplate[], usage: Usage, lines: readonly CostLine[]): string[] {
  const idleOf = (match: (line: CostLine) => boolean) => lines.filter(match).reduce((sum, line) => sum + line.idle, 0);
  const dashboard = idleOf((line) => line.type === 'AWS::CloudWatch::Dashboard');
  const idleMetrics = idleOf((line) => line.type === 'CloudWatch custom metrics');
  const topicKeys = idleOf((line) => line.type === 'AWS::KMS::Key' && !line.id.startsWith('DataKey'));
  const untraced = totals(costLines(templates, { ...usage, xraySampledShare: { value: 0, source: 'what-if' } }));
  const traced = totals(lines);
  const restToHttp = usdPer(PRICES.apiGatewayRestRequest, 1e6) - usdPer(PRICES.apiGatewayHttpRequest, 1e6);
  return [
    `dashboard off (an option such as monitoring.dashboard: false; the alarms stay): idle -${dashboard.toFixed(2)}`,
    `reconciler metrics published only when non-zero (handler change): idle -${idleMetrics.toFixed(2)}`,
    `topic keys (alarm, review) replaced by SNS's AWS-managed key or none (notifications carry no PHI by design; CloudWatch cannot publish to an aws/sns topic, so the alarm topic would go unencrypted): idle -${topicKeys.toFixed(2)}`,
    `X-Ray tracing off (an option such as tracing: false): idle -${(traced.idle - untraced.idle).toFixed(2)}, per million -${(traced.perMillion - untraced.perMillion).toFixed(2)}`,
    `HTTP API (${PRICES.apiGatewayHttpRequest.usd.toFixed(2)} USD/M) instead of REST (header check moved into the receiver): per million -${restToHttp.toFixed(2)}`,
    `fewer DynamoDB writes per event (now ${usage.dynamoWruPerEvent.value.toFixed(1)} WRU): per million -${usdPer(PRICES.dynamoWriteRequestUnit, 1e6).toFixed(3)} per write unit saved`,
  ];
}
