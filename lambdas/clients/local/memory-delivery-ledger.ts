import type { ClaimResult, DeliveryLedger } from '../../core/ports';
import { BoundedMap } from './bounded-map';

/** Private to the ledger, so completing a claim can change its entry in place. */
interface Entry {
  status: 'in-progress' | 'done';
  leaseUntil: number;
  expiresAt: number;
}

/**
 * The delivery ledger of the dev server: same rules as the DynamoDB one, in
 * memory. Memory stays bounded: at most `maxEntries` ids are kept (the least
 * recently claimed go first), so a long-running server forgets the oldest
 * deliveries instead of growing.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
  /** At most `maxEntries` ids, the least recently claimed first. */
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
    const expiresAt = now.getTime() + this.ttlMs;
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, { status: 'done', leaseUntil: 0, expiresAt });
      return;
    }
    // The claim's entry becomes the record: no second write, and the delivery keeps its place.
    entry.status = 'done';
    entry.leaseUntil = 0;
    entry.expiresAt = expiresAt;
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.status === 'in-progress') this.entries.delete(key);
  }
}
