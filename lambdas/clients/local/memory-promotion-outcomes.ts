import type { PromotionOutcome, PromotionOutcomeStore } from '../../core/ports';

/** Promotion outcomes in memory, at most `limit` of them (the least recently written go first). */
export class MemoryPromotionOutcomeStore implements PromotionOutcomeStore {
  readonly outcomes = new Map<string, PromotionOutcome>();

  constructor(private readonly limit = 10_000) {}

  async put(outcome: PromotionOutcome): Promise<void> {
    this.outcomes.delete(outcome.id);
    this.outcomes.set(outcome.id, outcome);
    for (const oldest of this.outcomes.keys()) {
      if (this.outcomes.size <= this.limit) break;
      this.outcomes.delete(oldest);
    }
  }

  async get(id: string): Promise<PromotionOutcome | undefined> {
    return this.outcomes.get(id);
  }
}
