/**
 * Public AWS list prices the cost benchmark uses, one region, one date, each with the pricing
 * page it comes from. On-demand, standard tier, no free tier (the always-free allowances are
 * listed apart in FREE_TIER_NOTES and never subtracted). Update the date when a price changes.
 */

/** The date these prices were written down (from the public pricing pages as then known). */
export const PRICE_DATE = '2026-11-30';
/** US East (N. Virginia): the reference region of the pricing pages; ca-central-1 is within a few % for these services. */
export const PRICE_REGION = 'us-east-1';

export interface Price {
  /** US dollars per `per` units of `unit`. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  /** The public page the figure comes from. */
  readonly source: string;
}

const price = (usd: number, per: number, unit: string, source: string): Price => ({
  usd,
  per,
  unit,
  source,
});

const LAMBDA = 'AWS Lambda pricing (aws.amazon.com/lambda/pricing)';
const CLOUDWATCH = 'Amazon CloudWatch pricing (aws.amazon.com/cloudwatch/pricing)';

/** Every price the model charges; `usdPer(PRICES.x, quantity)` turns a quantity into dollars. */
export const PRICES = {
  /** The SNS endpoint: one request per SNS delivery (each under 512 KB, so one metered request). */
  apiGatewayHttpRequest: price(
    1,
    1e6,
    'HTTP API request, metered in 512 KB increments (first 300 M/month)',
    'Amazon API Gateway pricing (https://aws.amazon.com/api-gateway/pricing/)',
  ),
  lambdaArmGbSecond: price(0.0000133334, 1, 'GB-second, arm64 (first 6 B GB-s/month)', LAMBDA),
  lambdaX86GbSecond: price(0.0000166667, 1, 'GB-second, x86_64', LAMBDA),
  lambdaRequest: price(0.2, 1e6, 'invocation', LAMBDA),
  sqsRequest: price(
    0.4,
    1e6,
    'standard queue request (64 KB chunk)',
    'Amazon SQS pricing (aws.amazon.com/sqs/pricing)',
  ),
  // Reduced on 2024-11-01 from 1.25 and 0.25.
  dynamoWriteRequestUnit: price(
    0.625,
    1e6,
    'on-demand write request unit',
    'Amazon DynamoDB pricing, on-demand (aws.amazon.com/dynamodb/pricing/on-demand)',
  ),
  dynamoReadRequestUnit: price(
    0.125,
    1e6,
    'on-demand read request unit',
    'Amazon DynamoDB pricing, on-demand (aws.amazon.com/dynamodb/pricing/on-demand)',
  ),
  // config table.billing "provisioned" (bench/cost/dynamo.ts); 0.258 per million WRU at a 70% target.
  dynamoProvisionedWcuHour: price(
    0.00065,
    1,
    'provisioned write capacity unit-hour',
    'Amazon DynamoDB pricing, provisioned (aws.amazon.com/dynamodb/pricing/provisioned)',
  ),
  dynamoProvisionedRcuHour: price(
    0.00013,
    1,
    'provisioned read capacity unit-hour',
    'Amazon DynamoDB pricing, provisioned (aws.amazon.com/dynamodb/pricing/provisioned)',
  ),
  dynamoStorageGbMonth: price(
    0.25,
    1,
    'GB-month of table storage',
    'Amazon DynamoDB pricing, on-demand (aws.amazon.com/dynamodb/pricing/on-demand)',
  ),
  dynamoPitrGbMonth: price(
    0.2,
    1,
    'GB-month of continuous backup (PITR)',
    'Amazon DynamoDB pricing, on-demand (aws.amazon.com/dynamodb/pricing/on-demand)',
  ),
  backupWarmGbMonth: price(
    0.1,
    1,
    'GB-month of DynamoDB warm backup storage',
    'AWS Backup pricing (aws.amazon.com/backup/pricing)',
  ),
  kmsKeyMonth: price(
    1,
    1,
    'customer managed key-month (each of the first two rotations adds 1)',
    'AWS KMS pricing (aws.amazon.com/kms/pricing)',
  ),
  kmsRequest: price(0.03, 1e4, 'KMS API request', 'AWS KMS pricing (aws.amazon.com/kms/pricing)'),
  secretMonth: price(
    0.4,
    1,
    'secret-month',
    'AWS Secrets Manager pricing (aws.amazon.com/secrets-manager/pricing)',
  ),
  secretApiCall: price(
    0.05,
    1e4,
    'Secrets Manager API call',
    'AWS Secrets Manager pricing (aws.amazon.com/secrets-manager/pricing)',
  ),
  alarmStandardMonth: price(0.1, 1, 'standard-resolution alarm metric-month', CLOUDWATCH),
  dashboardMonth: price(3, 1, 'dashboard-month', CLOUDWATCH),
  customMetricMonth: price(
    0.3,
    1,
    'custom metric-month (first 10,000; prorated by the hour)',
    CLOUDWATCH,
  ),
  logsIngestionGb: price(0.5, 1, 'GB of standard log ingestion', CLOUDWATCH),
  logsStorageGbMonth: price(0.03, 1, 'GB-month of log storage (archived, compressed)', CLOUDWATCH),
  xrayTrace: price(5, 1e6, 'trace recorded', 'AWS X-Ray pricing (aws.amazon.com/xray/pricing)'),
  snsPublish: price(
    0.5,
    1e6,
    'SNS publish (64 KB chunk)',
    'Amazon SNS pricing (aws.amazon.com/sns/pricing)',
  ),
  snsEmail: price(2, 1e5, 'e-mail notification', 'Amazon SNS pricing (aws.amazon.com/sns/pricing)'),
  s3Get: price(
    0.0004,
    1e3,
    'S3 Standard GET request',
    'Amazon S3 pricing (aws.amazon.com/s3/pricing)',
  ),
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** Dollars for `quantity` units of a price. */
export function usdPer(priceItem: Price, quantity: number): number {
  return (priceItem.usd * quantity) / priceItem.per;
}

/** The always-free allowances that would lower a small account's bill; the figures never subtract them. */
export const FREE_TIER_NOTES: readonly string[] = [
  'Lambda: 1 M requests and 400,000 GB-s a month',
  'SQS: 1 M requests a month',
  'CloudWatch: 10 custom metrics, 10 alarms, 3 dashboards (up to 50 metrics each), 5 GB of logs (ingestion + storage) a month',
  'X-Ray: 100,000 traces recorded a month',
  'KMS: 20,000 requests a month (keys are never free)',
  'SNS: 1 M publishes and 1,000 e-mails a month',
  'DynamoDB: 25 GB of storage (the 25 WCU/RCU apply to provisioned tables only)',
  'API Gateway: 1 M HTTP API requests a month during the first 12 months only',
];

/** Hours in the billing month the pricing pages use. */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
