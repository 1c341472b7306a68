import { describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '../../../../lambdas/clients/local/memory-delivery-ledger';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);

describe('MemoryDeliveryLedger', () => {
  it('claims once, reports a live claim as in progress and a completed one as a duplicate', async () => {
    const ledger = new MemoryDeliveryLedger();
    expect(await ledger.claim('github:a', at(0))).toBe('claimed');
    expect(await ledger.claim('github:a', at(1))).toBe('in-progress');
    await ledger.complete('github:a', at(2));
    expect(await ledger.claim('github:a', at(3))).toBe('duplicate');
  });

  it('keeps at most maxEntries ids however many deliveries come, forgetting the least recently claimed first', async () => {
    const ledger = new MemoryDeliveryLedger(undefined, undefined, 100);
    for (let i = 0; i < 1000; i += 1) {
      expect(await ledger.claim(`github:${i}`, at(i))).toBe('claimed');
      await ledger.complete(`github:${i}`, at(i));
      expect(ledger.size).toBeLessThanOrEqual(100);
    }
    expect(ledger.size).toBe(100);
    // The newest hundred are still known; the oldest are forgotten.
    expect(await ledger.claim('github:999', at(1000))).toBe('duplicate');
    expect(await ledger.claim('github:900', at(1000))).toBe('duplicate');
    expect(await ledger.claim('github:0', at(1000))).toBe('claimed');
  });

  it('completes a claim whose id was forgotten meanwhile, and a claim whose lease lapsed and was taken again', async () => {
    const ledger = new MemoryDeliveryLedger(60_000, 10_000, 2);
    expect(await ledger.claim('github:a', at(0))).toBe('claimed');
    await ledger.claim('github:b', at(1));
    await ledger.claim('github:c', at(2));
    // github:a was the oldest of three under a cap of two.
    await ledger.complete('github:a', at(3));
    expect(await ledger.claim('github:a', at(4))).toBe('duplicate');
    // The lease of github:c lapses at 12 s; a retry claims it again and completes it.
    expect(await ledger.claim('github:c', at(13))).toBe('claimed');
    await ledger.complete('github:c', at(14));
    expect(await ledger.claim('github:c', at(15))).toBe('duplicate');
    // Done records still expire.
    expect(await ledger.claim('github:c', at(14 + 61))).toBe('claimed');
  });

  it('forgets by claim order: completing a delivery does not make it newer', async () => {
    const ledger = new MemoryDeliveryLedger(undefined, undefined, 2);
    await ledger.claim('github:a', at(0));
    await ledger.claim('github:b', at(1));
    await ledger.complete('github:a', at(2));
    await ledger.claim('github:c', at(3));
    // github:a was claimed first, so it goes, though it was written last; github:b's claim is still live.
    expect(await ledger.claim('github:b', at(4))).toBe('in-progress');
    expect(await ledger.claim('github:a', at(4))).toBe('claimed');
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new MemoryDeliveryLedger(undefined, undefined, 0)).toThrowError(/maxEntries/);
  });
});
