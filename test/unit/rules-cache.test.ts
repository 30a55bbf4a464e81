/**
 * Covers cachedRules (lambdas/core/rules-cache.ts) with a scripted store and a fake clock: the
 * store is read at most once per max age, concurrent callers share one read, a conditional read
 * answered "unchanged" keeps the version and passes the known tag, an invalid document or a
 * failed read keeps the last good version (and is reported), and a worker that never read a
 * good version fails (RulesUnavailableError) until the store has one. The S3 side of a read is in
 * s3-rules-source.test.ts; the worker's log lines and metrics in worker-rules.test.ts.
 */
import type { Rules } from '../../lambdas/core/config';
import {
  cachedRules,
  type RulesCacheEvent,
  type RulesFetch,
  type RulesFetchResult,
  RulesUnavailableError,
} from '../../lambdas/core/rules-cache';
import { rulesVersionOf } from '../../lambdas/core/rules-source';

const V1: Rules = {
  defaultAction: 'review',
  rules: [{ name: 'psw', match: { care_type: ['psw'] }, action: 'accept' }],
};
const V2: Rules = { defaultAction: 'decline', rules: [] };

const valid = (rules: Rules, tag: string, storeVersion = `s3-${tag}`): RulesFetchResult => ({
  kind: 'valid',
  snapshot: { rules, version: rulesVersionOf(rules) },
  tag,
  storeVersion,
});
const PROBLEM = 'Invalid rules: rules.0.action: invalid_value';
const invalid: RulesFetchResult = { kind: 'invalid', problem: PROBLEM, storeVersion: 's3-bad' };

/** A store that answers each read with the next scripted step (a result, or an error to throw). */
function scriptedStore(...steps: (RulesFetchResult | Error)[]) {
  const knownTags: (string | undefined)[] = [];
  const fetch: RulesFetch = async (knownTag) => {
    knownTags.push(knownTag);
    const step = steps.shift();
    if (step === undefined) throw new Error('unexpected read');
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch, knownTags, reads: () => knownTags.length };
}

function setup(...steps: (RulesFetchResult | Error)[]) {
  const store = scriptedStore(...steps);
  let clock = 1_000_000;
  const events: RulesCacheEvent[] = [];
  const source = cachedRules({
    fetch: store.fetch,
    maxAgeMs: 60_000,
    now: () => clock,
    report: (event) => events.push(event),
  });
  return { store, source, events, advance: (ms: number) => (clock += ms) };
}

describe('reading the store', () => {
  it('reads once, then serves the same version without reading for up to the max age', async () => {
    const { store, source, advance } = setup(valid(V1, 'e1'), valid(V2, 'e2'));

    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
    advance(59_999);
    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
    expect(store.reads()).toBe(1);

    advance(1);
    await expect(source.current()).resolves.toEqual({ rules: V2, version: rulesVersionOf(V2) });
    expect(store.reads()).toBe(2);
  });

  it('shares one read between concurrent callers', async () => {
    const { store, source } = setup(valid(V1, 'e1'));
    const snapshots = await Promise.all([source.current(), source.current(), source.current()]);
    expect(store.reads()).toBe(1);
    expect(new Set(snapshots.map((s) => s.version))).toEqual(new Set([rulesVersionOf(V1)]));
  });

  it('sends the last good tag and keeps the version when the store answers unchanged (304)', async () => {
    const { store, source, events, advance } = setup(
      valid(V1, 'e1'),
      { kind: 'unchanged' },
      { kind: 'unchanged' },
    );

    await source.current();
    advance(60_000);
    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
    // The unchanged answer counts as a check: the next read is a full max age later.
    advance(59_999);
    await source.current();
    advance(1);
    await source.current();

    expect(store.knownTags).toEqual([undefined, 'e1', 'e1']);
    expect(events).toEqual([
      { kind: 'loaded', version: rulesVersionOf(V1), storeVersion: 's3-e1' },
    ]);
  });

  it('reports a new version with the one it replaces, and not a republished identical one', async () => {
    const { source, events, advance } = setup(valid(V1, 'e1'), valid(V1, 'e1b'), valid(V2, 'e2'));
    await source.current();
    advance(60_000);
    await source.current();
    advance(60_000);
    await source.current();
    expect(events).toEqual([
      { kind: 'loaded', version: rulesVersionOf(V1), storeVersion: 's3-e1' },
      {
        kind: 'loaded',
        version: rulesVersionOf(V2),
        previousVersion: rulesVersionOf(V1),
        storeVersion: 's3-e2',
      },
    ]);
  });
});

describe('keeping the last good version', () => {
  it('keeps it when the store holds an invalid document, reports it, and reads again only after the max age', async () => {
    const { store, source, events, advance } = setup(valid(V1, 'e1'), invalid, valid(V2, 'e2'));
    await source.current();
    advance(60_000);

    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
    expect(events[1]).toEqual({
      kind: 'invalid',
      problem: PROBLEM,
      storeVersion: 's3-bad',
      keptVersion: rulesVersionOf(V1),
    });
    // The invalid read's tag is not remembered: the next read asks for anything but the good one.
    advance(30_000);
    await source.current();
    expect(store.reads()).toBe(2);
    advance(30_000);
    await expect(source.current()).resolves.toEqual({ rules: V2, version: rulesVersionOf(V2) });
    expect(store.knownTags).toEqual([undefined, 'e1', 'e1']);
  });

  it('keeps it when the store cannot be read, reports the error, and tries again after the max age', async () => {
    const outage = Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
    const { store, source, events, advance } = setup(valid(V1, 'e1'), outage, valid(V2, 'e2'));
    await source.current();
    advance(60_000);

    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
    expect(events[1]).toEqual({
      kind: 'unreadable',
      error: outage,
      keptVersion: rulesVersionOf(V1),
    });
    await source.current();
    expect(store.reads()).toBe(2);

    advance(60_000);
    await expect(source.current()).resolves.toEqual({ rules: V2, version: rulesVersionOf(V2) });
  });
});

describe('without a good version', () => {
  it('fails every caller of a failed first read, reports it, and reads again on the next call', async () => {
    const outage = new Error('connect ETIMEDOUT');
    const { store, source, events } = setup(outage, valid(V1, 'e1'));

    const results = await Promise.allSettled([source.current(), source.current()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const [first] = results;
    expect(first.status === 'rejected' && first.reason).toBeInstanceOf(RulesUnavailableError);
    expect(first.status === 'rejected' && (first.reason as Error).cause).toBe(outage);
    expect(store.reads()).toBe(1);
    expect(events).toEqual([{ kind: 'unreadable', error: outage }]);

    // No max age to wait out: there is nothing to serve meanwhile.
    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
  });

  it('fails while the store holds an invalid document, naming its problem', async () => {
    const { source, events } = setup(invalid, valid(V1, 'e1'));
    await expect(source.current()).rejects.toThrow(
      /No valid rules have been read yet: Invalid rules: rules\.0\.action: invalid_value/,
    );
    expect(events).toEqual([{ kind: 'invalid', problem: PROBLEM, storeVersion: 's3-bad' }]);
    await expect(source.current()).resolves.toEqual({ rules: V1, version: rulesVersionOf(V1) });
  });

  it('fails on an "unchanged" answer to a first read (no tag was sent, so the store misbehaved)', async () => {
    const { source } = setup({ kind: 'unchanged' });
    await expect(source.current()).rejects.toBeInstanceOf(RulesUnavailableError);
  });
});
