/**
 * Covers the reconciler's offer store built on first use (lambdas/adapters/deferred-offer-store.ts),
 * with the DynamoDB store's module replaced by a recording fake (jest.doMock, so the test sees when
 * a store is built): nothing is built until the first call; the first call builds one store on the
 * configured table, which every later call uses; a build that fails rejects that call and every
 * later one, without building again (first-use.ts). What the store does is dynamo-offer-store's own
 * suite.
 */
import type { OfferRecord } from '../../lambdas/core/ports';

const MODULE = require.resolve('../../lambdas/adapters/dynamo-offer-store');
const TABLE = 'offers';

const state = { failingBuilds: 0, built: [] as string[], calls: [] as string[] };

beforeEach(() => {
  Object.assign(state, { failingBuilds: 0, built: [], calls: [] });
  jest.resetModules();
  jest.doMock(MODULE, () => ({
    dynamoOfferStore: (tableName: string) => {
      state.built.push(tableName);
      if (state.failingBuilds > 0) {
        state.failingBuilds -= 1;
        throw new Error('DynamoDBClient: Region is missing');
      }
      return {
        getOffer: (offerId: string): Promise<OfferRecord | undefined> => {
          state.calls.push(`getOffer ${offerId}`);
          return Promise.resolve({ offerId } as OfferRecord);
        },
        recordReconcilerEnqueue: (offerId: string, at: Date): Promise<void> => {
          state.calls.push(`recordReconcilerEnqueue ${offerId} ${at.toISOString()}`);
          return Promise.resolve();
        },
      };
    },
  }));
});

afterEach(() => {
  jest.dontMock(MODULE);
});

type DeferredModule = typeof import('../../lambdas/adapters/deferred-offer-store');

function load(): DeferredModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- fresh after jest.resetModules, with the mock in place
  return require('../../lambdas/adapters/deferred-offer-store') as DeferredModule;
}

describe('the reconciler’s store, built on first use', () => {
  it('builds nothing until the first call, then one store on the table for every call', async () => {
    const store = load().deferredReconcilerStore(TABLE);
    expect(state.built).toEqual([]);
    const at = new Date('2026-12-01T00:00:00Z');
    const [first, second] = await Promise.all([store.getOffer('o-1'), store.getOffer('o-2')]);
    await store.recordReconcilerEnqueue('o-1', at);
    expect([first?.offerId, second?.offerId]).toEqual(['o-1', 'o-2']);
    expect(state.built).toEqual([TABLE]);
    expect(state.calls).toEqual([
      'getOffer o-1',
      'getOffer o-2',
      `recordReconcilerEnqueue o-1 ${at.toISOString()}`,
    ]);
  });

  it('fails the call when the build fails, and every later call, without building again', async () => {
    state.failingBuilds = 1;
    const store = load().deferredReconcilerStore(TABLE);
    await expect(store.getOffer('o-1')).rejects.toThrow(/Region is missing/);
    await expect(store.recordReconcilerEnqueue('o-1', new Date())).rejects.toThrow(
      /Region is missing/,
    );
    expect(state).toMatchObject({ built: [TABLE], calls: [] });
  });
});
