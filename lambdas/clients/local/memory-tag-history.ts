import type { TagHistory } from '../../core/ports';
import { tagKey } from '../../core/promotion/read-workspace';

/** Push times of image tags in memory, at most `limit` of them (the oldest recorded go first). */
export class MemoryTagHistory implements TagHistory {
  readonly times = new Map<string, string>();

  constructor(private readonly limit = 100_000) {}

  async pushTimes(tags: ReadonlyArray<{ image: string; tag: string }>): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const { image, tag } of tags) {
      const pushedAt = this.times.get(tagKey(image, tag));
      if (pushedAt !== undefined) found.set(tagKey(image, tag), pushedAt);
    }
    return found;
  }

  /** The first push time recorded for a tag is kept, as in DynamoDB. */
  async record(entries: ReadonlyArray<{ image: string; tag: string; pushedAt: string }>): Promise<void> {
    for (const { image, tag, pushedAt } of entries) {
      const key = tagKey(image, tag);
      if (this.times.has(key)) continue;
      this.times.set(key, pushedAt);
      if (this.times.size > this.limit) {
        const oldest = this.times.keys().next().value;
        if (oldest !== undefined) this.times.delete(oldest);
      }
    }
  }
}
