/**
 * The simulator's fault injector in isolation: seeded reproducibility, the share of each fault
 * following its rate, error-after only on POSTs, scripted faults hitting exactly the matching
 * requests, delivery decisions and latency bounds. How the API and SNS apply the faults, and how
 * the client copes, is covered by test/integration/marketplace-contract-faults.test.ts.
 */
import { FaultInjector } from '../../sandbox/simulator/faults';

const draw = (faults: FaultInjector, n: number, method = 'GET') =>
  Array.from({ length: n }, () => faults.forRequest(method, '/offers/v1/x')?.kind ?? 'none');

describe('FaultInjector', () => {
  it('injects the same faults for the same seed, and other faults for another seed', () => {
    const plan = { api: { errorRate: 0.2, throttleRate: 0.2, timeoutRate: 0.1 } };
    const a = draw(new FaultInjector({ ...plan, seed: 7 }), 200);
    const b = draw(new FaultInjector({ ...plan, seed: 7 }), 200);
    const c = draw(new FaultInjector({ ...plan, seed: 8 }), 200);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('follows the rates: about the given share of each fault, none at rate 0', () => {
    const kinds = draw(
      new FaultInjector({ seed: 3, api: { errorRate: 0.3, throttleRate: 0.1 } }),
      2000,
    );
    const share = (kind: string) => kinds.filter((k) => k === kind).length / kinds.length;
    expect(share('error')).toBeGreaterThan(0.25);
    expect(share('error')).toBeLessThan(0.35);
    expect(share('throttle')).toBeGreaterThan(0.07);
    expect(share('throttle')).toBeLessThan(0.13);
    expect(share('timeout')).toBe(0);
  });

  it('applies error-after (act, then fail) to POSTs only', () => {
    const plan = { seed: 1, api: { errorAfterRate: 1 } };
    expect(new Set(draw(new FaultInjector(plan), 20, 'GET'))).toEqual(new Set(['none']));
    expect(new Set(draw(new FaultInjector(plan), 20, 'POST'))).toEqual(new Set(['error-after']));
  });

  it('gives 429s the configured Retry-After', () => {
    const faults = new FaultInjector({ api: { throttleRate: 1, retryAfterSeconds: 7 } });
    expect(faults.forRequest('GET', '/x')).toEqual({
      kind: 'throttle',
      status: 429,
      retryAfter: '7',
    });
  });

  it('hits exactly the scripted requests, the given number of times, before any rate', () => {
    const faults = new FaultInjector();
    faults.script({ kind: 'error', method: 'POST', path: '/accept', times: 2, status: 500 });
    expect(faults.forRequest('GET', '/offers/v1/inbox/offers/o/accept')).toBeUndefined();
    expect(faults.forRequest('POST', '/offers/v1/inbox/offers/o/decline')).toBeUndefined();
    expect(faults.forRequest('POST', '/offers/v1/inbox/offers/o/accept')).toEqual({
      kind: 'error',
      status: 500,
    });
    expect(faults.forRequest('POST', '/offers/v1/inbox/offers/o/accept')?.kind).toBe('error');
    expect(faults.forRequest('POST', '/offers/v1/inbox/offers/o/accept')).toBeUndefined();
    expect(faults.log.map((f) => f.path)).toEqual([
      '/offers/v1/inbox/offers/o/accept',
      '/offers/v1/inbox/offers/o/accept',
    ]);
  });

  it('decides deliveries by their rates, and clear() ends every fault', () => {
    const faults = new FaultInjector({ seed: 5, delivery: { dropRate: 0.5, duplicateRate: 0.5 } });
    const decisions = new Set(Array.from({ length: 50 }, () => faults.forDelivery()));
    expect(decisions).toEqual(new Set(['drop', 'duplicate']));
    faults.clear();
    expect(faults.forDelivery()).toBe('deliver');
    expect(faults.log).toEqual([]);
  });

  it('adds latency between the base and base + jitter', () => {
    const faults = new FaultInjector({ seed: 2, api: { latencyMs: 100, latencyJitterMs: 50 } });
    const samples = Array.from({ length: 100 }, () => faults.latencyMs());
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...samples)).toBeLessThan(150);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });
});
