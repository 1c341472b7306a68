import type { ClaimResult, DeliveryLedger } from '../../core/ports';

interface Entry {
  status: 'in-progress' | 'done';
  leaseUntil: number;
  expiresAt: number;
}

/** The delivery ledger of the dev server: same rules as the DynamoDB one, in memory. */
export class MemoryDeliveryLedger implements DeliveryLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 7 * 24 * 3600_000,
    private readonly leaseMs = 60_000,
  ) {}

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
