import type { ClaimResult, DeliveryLedger } from '../../core/ports';
import { BoundedMap } from './bounded-map';

interface Entry {
  readonly status: 'in-progress' | 'done';
  readonly leaseUntil: number;
  readonly expiresAt: number;
}

/**
 * The delivery ledger of the dev server: same rules as the DynamoDB one, in
 * memory. Memory stays bounded: at most `maxEntries` ids are kept (the least
 * recently written go first, as in FileDeliveryLedger), so a long-running
 * server forgets the oldest deliveries instead of growing.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
  /** At most `maxEntries` ids, the least recently written first. */
  private readonly entries: BoundedMap<string, Entry>;

  constructor(
    private readonly ttlMs = 7 * 24 * 3600_000,
    private readonly leaseMs = 60_000,
    maxEntries = 50_000,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`MemoryDeliveryLedger maxEntries: expected a positive whole number, got ${maxEntries}`);
    this.entries = new BoundedMap(maxEntries);
  }

  /** How many delivery ids are remembered now. */
  get size(): number {
    return this.entries.size;
  }

  async claim(key: string, now: Date): Promise<ClaimResult> {
    const at = now.getTime();
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt >= at) {
      if (entry.status === 'done') return 'duplicate';
      if (entry.leaseUntil >= at) return 'in-progress';
    }
    this.entries.set(key, { status: 'in-progress', leaseUntil: at + this.leaseMs, expiresAt: at + this.ttlMs });
    return 'claimed';
  }

  async complete(key: string, now: Date): Promise<void> {
    this.entries.set(key, { status: 'done', leaseUntil: 0, expiresAt: now.getTime() + this.ttlMs });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.status === 'in-progress') this.entries.delete(key);
  }
}
