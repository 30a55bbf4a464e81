import { onFirstUse } from '../../lambdas/adapters/first-use';

describe('onFirstUse', () => {
  it('builds nothing until the first use, then once for every later use', () => {
    const build = jest.fn(() => ({ client: 'sqs' }));
    const client = onFirstUse(build);
    expect(build).not.toHaveBeenCalled();
    const first = client();
    expect(client()).toBe(first);
    expect(client()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps a built null as built', () => {
    const build = jest.fn((): null => null);
    const value = onFirstUse(build);
    expect(value()).toBeNull();
    expect(value()).toBeNull();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('tries again after a build that threw', () => {
    let attempts = 0;
    const value = onFirstUse(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('no region');
      return attempts;
    });
    expect(() => value()).toThrow('no region');
    expect(value()).toBe(2);
    expect(value()).toBe(2);
  });
});
