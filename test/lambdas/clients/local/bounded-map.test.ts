import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../../lambdas/clients/local/bounded-map';

describe('BoundedMap', () => {
  it('forgets the oldest entries past the cap, in the order they were set', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [index, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, index);
    expect([...map.keys()]).toEqual(['c', 'd', 'e']);
  });

  it('counts an entry set again as the newest', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 4);
    map.set('d', 5);
    expect([...map.entries()]).toEqual([
      ['c', 3],
      ['a', 4],
      ['d', 5],
    ]);
  });

  it('keeps the cap and the order through deletions, a refresh of the next to go and an emptied map', () => {
    const map = new BoundedMap<number, number>(4);
    for (let i = 0; i < 10; i += 1) map.set(i, i);
    // The kept iterator stands just before 6; 6 set again goes to the end and 7 is next to go.
    map.set(6, 60);
    map.delete(8);
    map.set(10, 10).set(11, 11);
    expect([...map.keys()]).toEqual([9, 6, 10, 11]);
    map.clear();
    for (let i = 20; i < 27; i += 1) map.set(i, i);
    expect([...map.keys()]).toEqual([23, 24, 25, 26]);
    expect(map.size).toBe(4);
  });

  it('keeps exactly the newest entries over many rounds of eviction', () => {
    const map = new BoundedMap<string, number>(1000);
    for (let i = 0; i < 50_000; i += 1) {
      map.set(`k${i}`, i);
      // Deliveries are claimed and then completed: the same key set twice in a row.
      map.set(`k${i}`, -i);
    }
    expect(map.size).toBe(1000);
    expect(map.has('k48999')).toBe(false);
    expect(map.get('k49000')).toBe(-49000);
    expect([...map.keys()].at(-1)).toBe('k49999');
  });

  it('refuses a cap that is not a positive whole number', () => {
    expect(() => new BoundedMap(0)).toThrowError(/maxEntries/);
    expect(() => new BoundedMap(1.5)).toThrowError(/maxEntries/);
  });
});
