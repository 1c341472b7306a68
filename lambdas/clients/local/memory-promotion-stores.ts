import type { AuditLog, AuditRecord, TargetStateStore } from '../../core/ports';
import type { TargetState } from '../../core/promotion/plan-promotions';

/** Target states of the dev server, in memory. */
export class MemoryTargetStateStore implements TargetStateStore {
  readonly states = new Map<string, TargetState>();

  async get(keys: readonly string[]): Promise<Map<string, TargetState>> {
    const found = new Map<string, TargetState>();
    for (const key of keys) {
      const state = this.states.get(key);
      if (state !== undefined) found.set(key, state);
    }
    return found;
  }

  async put(key: string, state: TargetState): Promise<void> {
    this.states.set(key, state);
  }
}

/** The audit log of the dev server, in memory (newest last). */
export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];

  async record(entry: AuditRecord): Promise<void> {
    this.records.push(entry);
  }
}
