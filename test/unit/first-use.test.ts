import { onFirstLoad } from '../../lambdas/adapters/first-use';

describe('onFirstLoad', () => {
  it('loads nothing until the first use, then once for every later use', async () => {
    const load = jest.fn(async () => ({ client: 'sqs' }));
    const client = onFirstLoad(load);
    expect(load).not.toHaveBeenCalled();
    const first = await client();
    expect(await client()).toBe(first);
    expect(await client()).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('shares one load between calls made while it is under way', async () => {
    let finish: (value: string) => void = () => undefined;
    const load = jest.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    const value = onFirstLoad(load);
    const calls = [value(), value(), value()];
    await Promise.resolve();
    finish('loaded');
    expect(await Promise.all(calls)).toEqual(['loaded', 'loaded', 'loaded']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps a loaded null as loaded', async () => {
    const load = jest.fn(async (): Promise<null> => null);
    const value = onFirstLoad(load);
    expect(await value()).toBeNull();
    expect(await value()).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fails every call that needs a failed load, then and later, and does not load again', async () => {
    let attempts = 0;
    const value = onFirstLoad(async (): Promise<number> => {
      attempts += 1;
      throw new Error('module not found');
    });
    const waiting = [value(), value()];
    await expect(waiting[0]).rejects.toThrow('module not found');
    await expect(waiting[1]).rejects.toThrow('module not found');
    await expect(value()).rejects.toThrow('module not found');
    expect(attempts).toBe(1);
  });

  it('turns a load that throws at once into a rejected call, not a throw', async () => {
    const value = onFirstLoad((): Promise<number> => {
      throw new Error('no region');
    });
    const first = value();
    expect(first).toBeInstanceOf(Promise);
    await expect(first).rejects.toThrow('no region');
    await expect(value()).rejects.toThrow('no region');
  });
});
