/**
 * Keeps `value` under `key` as the newest entry of `entries` (a Map iterates
 * in insertion order) and forgets the oldest ones past `maxEntries`.
 */
export function rememberBounded<K, V>(entries: Map<K, V>, key: K, value: V, maxEntries: number): void {
  entries.delete(key);
  entries.set(key, value);
  for (const oldest of entries.keys()) {
    if (entries.size <= maxEntries) break;
    entries.delete(oldest);
  }
}
