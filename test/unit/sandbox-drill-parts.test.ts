/**
 * The small parts of the sandbox's outage and bad-password drills: the receiver outage switch
 * (sandbox/receiver-outage.ts) and the scaled retry schedule (sandbox/scaled-timing.ts).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { retryDelaySeconds, WORKER_TIMING } from '../../lambdas/worker/timing';
import { createReceiverOutage } from '../../sandbox/receiver-outage';
import { ScaledTimingError, scaledWorkerTiming } from '../../sandbox/scaled-timing';

describe('receiver outage', () => {
  const event = {} as APIGatewayProxyEvent;

  it('passes requests to the receiver until it goes down, answers 503 without calling it while down, and passes again once back', async () => {
    const outage = createReceiverOutage();
    let calls = 0;
    const handler = outage.wrap(async () => {
      calls += 1;
      return { statusCode: 200, body: '' };
    });

    expect((await handler(event)).statusCode).toBe(200);
    outage.begin();
    expect(outage.down).toBe(true);
    expect((await handler(event)).statusCode).toBe(503);
    expect((await handler(event)).statusCode).toBe(503);
    outage.end();
    expect((await handler(event)).statusCode).toBe(200);

    expect(calls).toBe(2);
    expect(outage.refused).toBe(2);
  });
});

describe('scaled retry schedule', () => {
  it('scales only the retry delays, in whole seconds of at least 1', () => {
    const scaled = scaledWorkerTiming(1 / 100);
    expect(scaled.retryDelaysS).toEqual([1, 1, 1, 3]);
    expect({ ...scaled, retryDelaysS: WORKER_TIMING.retryDelaysS }).toEqual(WORKER_TIMING);
    // The worker reads it as it reads the production schedule.
    expect(
      [1, 2, 3, 4, 5].map((count) => retryDelaySeconds(count, undefined, scaled.retryDelaysS)),
    ).toEqual([1, 1, 1, 3, 3]);
  });

  it('leaves production timing alone', () => {
    scaledWorkerTiming(1 / 100);
    expect(WORKER_TIMING.retryDelaysS).toEqual([5, 15, 60, 300]);
  });

  it.each([0, -1, 2, Number.NaN])('refuses the scale %p', (scale) => {
    expect(() => scaledWorkerTiming(scale)).toThrow(ScaledTimingError);
  });
});
