import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../../lambdas/shared/load-once';

describe('loadOnce', () => {
  it('loads at the first call, not before, and keeps the result', async () => {
    let loads = 0;
    const value = loadOnce(async () => {
      loads += 1;
      return { n: loads };
    });
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([value(), value()]);
    expect(await value()).toBe(first);
    expect(second).toBe(first);
    expect(loads).toBe(1);
  });

  it('tries a failed load again at the next call', async () => {
    let loads = 0;
    const value = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk not readable');
      return 'loaded';
    });
    await expect(value()).rejects.toThrowError('chunk not readable');
    await expect(value()).resolves.toBe('loaded');
    await expect(value()).resolves.toBe('loaded');
    expect(loads).toBe(2);
  });

  it('tries again after a load that throws before it returns a promise', async () => {
    let calls = 0;
    const value = loadOnce((): Promise<string> => {
      calls += 1;
      if (calls === 1) throw new Error('no module');
      return Promise.resolve('loaded');
    });
    await expect(value()).rejects.toThrowError('no module');
    await expect(value()).resolves.toBe('loaded');
  });
});
