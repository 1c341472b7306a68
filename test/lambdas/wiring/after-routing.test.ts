import { describe, expect, it } from 'vitest';
import { afterRouting } from '../../../lambdas/wiring/lambda-intake';

describe('afterRouting: the intake handler and the routing load with the first event', () => {
  it('loads neither before the first event, both once, and a failed load again with the next event', async () => {
    const loads: string[] = [];
    let routingLoads = 0;
    const handler = afterRouting(
      {
        routingReady: async () => {
          routingLoads += 1;
        },
      },
      async () => {
        loads.push('handler');
        if (loads.length === 1) throw new Error('Cannot find module ./chunk-ABC.mjs');
        return async (event: string) => `handled ${event}`;
      },
    );
    expect(loads).toEqual([]);
    await expect(handler('first', undefined)).rejects.toThrowError('Cannot find module');
    await expect(handler('second', undefined)).resolves.toBe('handled second');
    await expect(handler('third', undefined)).resolves.toBe('handled third');
    expect(loads).toEqual(['handler', 'handler']);
    // The routing is awaited with each load of the handler, and not once both are ready.
    expect(routingLoads).toBe(2);
  });

  it('fails the event whose routing could not load, and loads it again with the next one', async () => {
    let routingLoads = 0;
    const handler = afterRouting(
      {
        routingReady: async () => {
          routingLoads += 1;
          if (routingLoads === 1) throw new Error('Cannot find module ./triggers-XYZ.mjs');
        },
      },
      async () => async (event: string) => `handled ${event}`,
    );
    await expect(handler('first', undefined)).rejects.toThrowError('Cannot find module');
    await expect(handler('second', undefined)).resolves.toBe('handled second');
    expect(routingLoads).toBe(2);
  });
});
