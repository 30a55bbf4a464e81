/**
 * A module replaced (jest.doMock) by one whose loads are counted, and can be made to fail, as a
 * missing or broken module would: for the tests of what loads on first use (adapters/first-use.ts)
 * and when. `name` is a package name or an absolute path (require.resolve it in the caller).
 * Call after `jest.resetModules()` and before requiring the code under test; `jest.dontMock(name)`
 * after the test.
 */

/** What the replaced module saw. */
export interface ModuleLoads {
  loads: number;
  /** Loads that throw before one succeeds. */
  failingLoads: number;
}

export function countModuleLoads(name: string, loads: ModuleLoads, build: () => unknown): void {
  jest.doMock(name, () => {
    loads.loads += 1;
    if (loads.failingLoads > 0) {
      loads.failingLoads -= 1;
      throw new Error(`Cannot find module '${name}'`);
    }
    return build();
  });
}
