import { onFirstUse } from '../../lambdas/adapters/first-use';

describe('onFirstUse', () => {
  it('builds nothing until the first use, then once for every later use', async () => {
    const build = jest.fn(() => ({ client: 'sqs' }));
    const client = onFirstUse(build);
    expect(build).not.toHaveBeenCalled();
    const first = await client();
    expect(first).toEqual({ client: 'sqs' });
    expect(await client()).toBe(first);
    expect(await client()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('shares one build between calls made while it is under way', async () => {
    let finish: (value: string) => void = () => undefined;
    const build = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const value = onFirstUse(build);
    const calls = [value(), value(), value()];
    await Promise.resolve();
    finish('built');
    expect(await Promise.all(calls)).toEqual(['built', 'built', 'built']);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('keeps a built null as built', async () => {
    const build = jest.fn((): null => null);
    const value = onFirstUse(build);
    expect(await value()).toBeNull();
    expect(await value()).toBeNull();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('fails every call that needs a failed build, then and later, and does not build again', async () => {
    let attempts = 0;
    const value = onFirstUse(async (): Promise<number> => {
      attempts += 1;
      throw new Error('no region');
    });
    const waiting = [value(), value()];
    await expect(waiting[0]).rejects.toThrow('no region');
    await expect(waiting[1]).rejects.toThrow('no region');
    await expect(value()).rejects.toThrow('no region');
    expect(attempts).toBe(1);
  });

  it('turns a build that throws at once into a rejected call, not a throw', async () => {
    const value = onFirstUse((): number => {
      throw new Error('no region');
    });
    const first = value();
    expect(first).toBeInstanceOf(Promise);
    await expect(first).rejects.toThrow('no region');
    await expect(value()).rejects.toThrow('no region');
  });
});
