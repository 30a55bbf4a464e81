/**
 * The cost model (bench/cost/model.ts) and variants (bench/cost/variants.ts) with config
 * `encryption.keys`: under AWS's keys the two key lines disappear with their monthly fee and the
 * data key's requests (the services' own keys bill none), while the requests to AWS managed keys
 * stay billed where they are made: a KMS Decrypt per read of a secret under aws/secretsmanager,
 * SNS's data key requests on the review topic under aws/sns. The `aws-keys` and `frugal-aws-keys`
 * variants, and which priced configs meet both goals.
 */
import type { ConnectorConfig } from '../../lambdas/core/config';
import { costLines, totals, type CostLine } from '../../bench/cost/model';
import { synthesizedTemplates } from '../../bench/cost/templates';
import { meetsGoals, variantConfig, VARIANTS, type CostVariant } from '../../bench/cost/variants';
import { exampleConfig } from '../infra/infra-support';
import { sourced, zeroUsage } from '../support/cost-usage';

const s = sourced;

const variant = (name: string): CostVariant => {
  const found = VARIANTS.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no variant ${name}`);
  return found;
};

/** Requests to price, and no other usage: what each key mode bills for them is then by hand. */
const usage = zeroUsage({
  secretCalls: s({ idle: 1000, traffic: 2000 }),
  kmsDataKeyRequests: s({ idle: 5000, traffic: 50_000 }),
  kmsReviewKeyRequestsTraffic: s(10_000),
});

const withKeys = (keys: 'customer-managed' | 'aws-managed'): ConnectorConfig => ({
  ...exampleConfig(),
  encryption: { keys },
});

const priced = (config: ConnectorConfig) => costLines(synthesizedTemplates(config), usage);
const lineOf = (lines: CostLine[], type: string, id = '') => {
  const found = lines.filter((l) => l.type === type && l.id.startsWith(id));
  if (found.length !== 1) throw new Error(`expected one ${type} ${id}, found ${found.length}`);
  return found[0];
};

describe('the cost model under AWS keys (encryption.keys aws-managed)', () => {
  const own = priced(withKeys('customer-managed'));
  const aws = priced(withKeys('aws-managed'));

  it('prices every resource, and has no KMS key line', () => {
    expect(totals(aws).unpriced).toEqual([]);
    expect(aws.filter((l) => l.type === 'AWS::KMS::Key')).toEqual([]);
    expect(own.filter((l) => l.type === 'AWS::KMS::Key')).toHaveLength(2);
  });

  it('bills a KMS request per read of a secret under aws/secretsmanager, none under the data key (on its line)', () => {
    // 0.05 per 10,000 calls, plus 0.03 per 10,000 KMS requests under aws/secretsmanager.
    expect(lineOf(own, 'AWS::SecretsManager::Secret').idle).toBeCloseTo(0.4 + 1000 * 5e-6, 9);
    expect(lineOf(own, 'AWS::SecretsManager::Secret').perMillion).toBeCloseTo(2000 * 5e-6, 9);
    const secret = lineOf(aws, 'AWS::SecretsManager::Secret');
    expect(secret.idle).toBeCloseTo(0.4 + 1000 * 8e-6, 9);
    expect(secret.perMillion).toBeCloseTo(2000 * 8e-6, 9);
    expect(secret.detail).toContain('under aws/secretsmanager');
  });

  it("bills SNS's data key requests on the review topic under aws/sns, none on the unencrypted alarm topic", () => {
    const review = lineOf(aws, 'AWS::SNS::Topic', 'ReviewNotifications');
    expect(review.perMillion).toBeCloseTo(10_000 * 3e-6, 9);
    expect(review.detail).toContain('under aws/sns: 10000 KMS requests');
    expect(lineOf(own, 'AWS::SNS::Topic', 'ReviewNotifications').perMillion).toBe(0);
    expect(lineOf(aws, 'AWS::SNS::Topic', 'MonitoringAlarmTopic')).toMatchObject({
      idle: 0,
      perMillion: 0,
    });
  });

  it('saves the two keys and the data key requests, and nothing else changes', () => {
    const kms = (lines: CostLine[]) => lines.filter((l) => l.type === 'AWS::KMS::Key');
    const sum = (lines: CostLine[], f: 'idle' | 'perMillion') =>
      lines.reduce((n, l) => n + l[f], 0);
    // Two key-months, the data key's 5,000 idle requests; its 45,000 more with traffic and the
    // review key's 10,000 (now on the topic).
    expect(sum(kms(own), 'idle')).toBeCloseTo(2 + 5000 * 3e-6, 9);
    expect(sum(kms(own), 'perMillion')).toBeCloseTo(45_000 * 3e-6 + 10_000 * 3e-6, 9);
    const ownTotals = totals(own);
    const awsTotals = totals(aws);
    expect(awsTotals.idle).toBeCloseTo(ownTotals.idle - 2 - 5000 * 3e-6 + 1000 * 3e-6, 9);
    expect(awsTotals.perMillion).toBeCloseTo(
      ownTotals.perMillion - 45_000 * 3e-6 - 10_000 * 3e-6 + 2000 * 3e-6 + 10_000 * 3e-6,
      9,
    );
    // Every other line is the same, resource by resource.
    const others = (lines: CostLine[]) =>
      lines
        .filter(
          (l) =>
            !['AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::SNS::Topic'].includes(l.type),
        )
        .map((l) => `${l.id} ${l.idle.toFixed(9)} ${l.perMillion.toFixed(9)}`)
        .sort();
    expect(others(aws)).toEqual(others(own));
  });
});

describe('the key variants', () => {
  const everythingOn: ConnectorConfig = {
    ...exampleConfig(),
    tracing: true,
    backup: { enabled: true, retentionDays: 90 },
    encryption: { keys: 'aws-managed' },
  };

  it("lean (and every variant that does not set it) keeps the connector's own keys whatever the config says", () => {
    for (const name of ['lean', 'observed', 'function-url', 'provisioned', 'frugal'])
      expect(variantConfig(variant(name), everythingOn).encryption).toEqual({
        keys: 'customer-managed',
      });
  });

  it('aws-keys is lean under AWS keys; frugal-aws-keys is frugal under AWS keys', () => {
    const lean = variantConfig(variant('lean'), everythingOn);
    expect(variantConfig(variant('aws-keys'), everythingOn)).toEqual({
      ...lean,
      encryption: { keys: 'aws-managed' },
    });
    const frugal = variantConfig(variant('frugal'), everythingOn);
    expect(frugal).toMatchObject({ ingress: 'function-url', table: { billing: 'provisioned' } });
    expect(variantConfig(variant('frugal-aws-keys'), everythingOn)).toEqual({
      ...frugal,
      encryption: { keys: 'aws-managed' },
    });
  });

  it('frugal-aws-keys@35% is frugal-aws-keys with its capacity priced as used at 35%', () => {
    const frugal = variantConfig(variant('frugal-aws-keys'), everythingOn);
    expect(variantConfig(variant('frugal-aws-keys@35%'), everythingOn)).toEqual({
      ...frugal,
      table: { ...frugal.table, targetUtilization: 35 },
    });
  });

  it('meet a goal at or below it, not above', () => {
    const goals = { idle: 5, perMillion: 5 };
    expect(meetsGoals({ idle: 5, perMillion: 5 }, goals)).toBe(true);
    expect(meetsGoals({ idle: 4.2, perMillion: 4.9 }, goals)).toBe(true);
    expect(meetsGoals({ idle: 5.01, perMillion: 4 }, goals)).toBe(false);
    expect(meetsGoals({ idle: 4, perMillion: 5.01 }, goals)).toBe(false);
  });
});
