/**
 * A Map that keeps at most `maxEntries` entries: `set` makes its entry the
 * newest (a Map iterates in insertion order) and forgets the oldest ones past
 * the cap.
 *
 * The oldest entry is found with one iterator kept across calls. A fresh
 * `keys()` iterator would start at the table's first slot and step over every
 * slot emptied since V8 last rebuilt the table: at 50,000 entries, where each
 * new one forgets the oldest, that is tens of thousands of steps per `set`. The
 * kept iterator has already passed them; the language keeps a Map iterator
 * valid across additions and deletions, and it sees an entry set again at its
 * new place.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  private oldest: MapIterator<K> | undefined;

  constructor(readonly maxEntries: number) {
    super();
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries: expected a positive whole number, got ${maxEntries}`);
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    while (this.size > this.maxEntries) {
      let next = this.oldest?.next();
      // A finished iterator stays finished: start again from the oldest entry.
      if (next === undefined || next.done === true) {
        this.oldest = super.keys();
        next = this.oldest.next();
      }
      if (next.done === true) break;
      super.delete(next.value);
    }
    return this;
  }
}
