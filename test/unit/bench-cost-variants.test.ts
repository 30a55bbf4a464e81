/**
 * The cost benchmark's variants (bench/cost/variants.ts) and the provisioned table's bounds
 * (bench/cost/dynamo.ts): `lean` is the defaults whatever the config sets (backup included); every
 * variant's config passes the schema, and one the schema refuses fails loudly instead of being
 * priced; the break-even volume between two priced configs; the provisioned line labelled a
 * lower bound, with its cost at 35% real use and the use below which on demand is cheaper.
 */
import { ConfigError, type ConnectorConfig } from '../../lambdas/core/config';
import { breakEvenUtilization, REAL_USE } from '../../bench/cost/dynamo';
import { costLines } from '../../bench/cost/model';
import { synthesizedTemplates } from '../../bench/cost/templates';
import {
  breakEvenMillions,
  variantConfig,
  VARIANTS,
  type CostVariant,
} from '../../bench/cost/variants';
import { exampleConfig } from '../infra/infra-support';
import { sourced, zeroUsage } from '../support/cost-usage';

const s = sourced;

const variant = (name: string): CostVariant => {
  const found = VARIANTS.find((v) => v.name === name);
  if (found === undefined) throw new Error(`no variant ${name}`);
  return found;
};

/** Every cost option on, and the ingress and table away from their defaults. */
const everythingOn: ConnectorConfig = {
  ...exampleConfig(),
  tracing: true,
  monitoring: { ...exampleConfig().monitoring, dashboard: true, detailMetrics: true },
  backup: { enabled: true, retentionDays: 90 },
  ingress: 'function-url',
  apiThrottle: undefined,
  receiverReservedConcurrency: 80,
  table: { billing: 'provisioned', writeCapacity: { min: 5, max: 100 } },
};

describe('the variants', () => {
  it('pass the schema for the example config and for one with every option set', () => {
    for (const config of [exampleConfig(), everythingOn])
      for (const v of VARIANTS) expect(() => variantConfig(v, config)).not.toThrow();
  });

  it('lean is the defaults whatever the config sets, the backup plan included', () => {
    const lean = variantConfig(variant('lean'), everythingOn);
    expect(lean).toMatchObject({
      tracing: false,
      monitoring: { dashboard: false, detailMetrics: false },
      ingress: 'http-api',
      table: { billing: 'on-demand' },
      backup: { enabled: false, retentionDays: 35 },
    });
    expect(lean.receiverReservedConcurrency).toBeUndefined();
    // The backed-up variant still sets its own plan.
    expect(variantConfig(variant('backed-up'), everythingOn).backup).toEqual({
      enabled: true,
      retentionDays: 35,
    });
  });

  it('refuses loudly a variant config the schema refuses, naming the field', () => {
    // An account too small to reserve: a function URL would be unbounded, and the schema says so.
    const small: ConnectorConfig = { ...exampleConfig(), reserveConcurrency: false };
    expect(() => variantConfig(variant('function-url'), small)).toThrow(ConfigError);
    expect(() => variantConfig(variant('function-url'), small)).toThrow(
      /cost variant function-url[\s\S]*ingress: ingress function-url is bounded only/,
    );
    const keepsThrottle: CostVariant = {
      name: 'broken',
      sets: 'ingress: function-url, the stage throttle kept',
      apply: (config) => ({ ...config, ingress: 'function-url' }),
    };
    expect(() => variantConfig(keepsThrottle, exampleConfig())).toThrow(
      /^apiThrottle: apiThrottle bounds the HTTP API stage only/m,
    );
  });
});

describe('break-even volume', () => {
  it('is the extra idle over the saving per million', () => {
    // The provisioned table's figures: +1.57 idle, -2.43 per million: about 0.65 million events.
    expect(
      breakEvenMillions({ idle: 4.64, perMillion: 9.34 }, { idle: 6.21, perMillion: 6.91 }),
    ).toBeCloseTo(1.57 / 2.43, 9);
    expect(1.57 / 2.43).toBeCloseTo(0.646, 3);
  });

  it('is 0 when the other never costs more, undefined when it saves nothing per event', () => {
    expect(breakEvenMillions({ idle: 2, perMillion: 5 }, { idle: 2, perMillion: 4 })).toBe(0);
    expect(
      breakEvenMillions({ idle: 2, perMillion: 5 }, { idle: 3, perMillion: 5 }),
    ).toBeUndefined();
    expect(
      breakEvenMillions({ idle: 2, perMillion: 5 }, { idle: 3, perMillion: 6 }),
    ).toBeUndefined();
  });
});

describe('the provisioned table, priced', () => {
  const usage = zeroUsage({
    dynamoWruPerEvent: s(6.4),
    dynamoRruPerEvent: s(1),
    xraySampledShare: s(0),
  });
  const tableLine = (name: string) => {
    const lines = costLines(
      synthesizedTemplates(variantConfig(variant(name), exampleConfig())),
      usage,
    );
    const table = lines.find((line) => line.type === 'AWS::DynamoDB::Table');
    if (table === undefined) throw new Error('no table line');
    return table;
  };

  it('beats on demand per unit only above about 29% use of the held capacity', () => {
    // 0.00065 per WCU-hour of 3600 units against 0.625 per million on demand.
    expect(breakEvenUtilization()).toBeCloseTo(0.00065 / 3600 / 0.625e-6, 9);
    expect(Math.round(breakEvenUtilization() * 100)).toBe(29);
  });

  it('labels its per-million figure a lower bound, with the cost at 35% real use', () => {
    const line = tableLine('provisioned');
    const atRealUse = (
      (6.4e6 / (3600 * REAL_USE)) * 0.00065 +
      (1e6 / (3600 * REAL_USE)) * 0.00013
    ).toFixed(2);
    const onDemand = (6.4 * 0.625 + 1 * 0.125).toFixed(2);
    expect(line.detail).toContain(
      `per million a lower bound (steady traffic, perfect tracking at the target): ${atRealUse} at 35% real use, against ${onDemand} on demand, which it beats only above 29% use`,
    );
    expect(variant('provisioned').sets).toContain('lower bound');
  });

  it('the provisioned@35% variant prices the same capacity used at 35%: twice the per-million of a 70% target', () => {
    expect(REAL_USE).toBe(0.35);
    expect(variantConfig(variant('provisioned@35%'), exampleConfig()).table).toEqual({
      billing: 'provisioned',
      targetUtilization: 35,
    });
    const at70 = tableLine('provisioned');
    const at35 = tableLine('provisioned@35%');
    expect(at35.perMillion).toBeCloseTo(2 * at70.perMillion, 9);
    expect(at35.idle).toBeCloseTo(at70.idle, 9);
    // 35% is still above the 29% break-even: cheaper per event than on demand, by less.
    expect(at35.perMillion).toBeLessThan(tableLine('lean').perMillion);
  });
});
