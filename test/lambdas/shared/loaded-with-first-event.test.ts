import { describe, expect, it } from 'vitest';
import { loadedWithFirstEvent } from '../../../lambdas/shared/loaded-with-first-event';

describe('loadedWithFirstEvent', () => {
  it('loads the handler at the first event, once, and after a failed load again with the next event', async () => {
    let loads = 0;
    const handler = loadedWithFirstEvent(async () => {
      loads += 1;
      if (loads === 1) throw new Error('Cannot find module ./chunk-ABC.mjs');
      return async (event: { n: number }, context: string) => `${context}: ${event.n}`;
    });
    expect(loads).toBe(0);
    await expect(handler({ n: 1 }, 'ctx')).rejects.toThrowError('Cannot find module');
    await expect(handler({ n: 2 }, 'ctx')).resolves.toBe('ctx: 2');
    await expect(handler({ n: 3 }, 'ctx')).resolves.toBe('ctx: 3');
    expect(loads).toBe(2);
  });
});
