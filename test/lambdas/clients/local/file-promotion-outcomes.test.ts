import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FilePromotionOutcomeStore, PROMOTION_OUTCOMES_FILE } from '../../../../lambdas/clients/local/file-promotion-outcomes';
import type { PromotionOutcome } from '../../../../lambdas/core/ports';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'hoist-outcomes-')), 'state');
const at = (hours: number) => new Date(Date.UTC(2026, 10, 23) + hours * 3600_000);
const outcome = (id: string, status: PromotionOutcome['status'] = 'queued', hours = 0): PromotionOutcome => ({
  id,
  status,
  updatedAt: at(hours).toISOString(),
  changes: [],
  reasons: [],
});
const journalLines = (dir: string) =>
  readFileSync(join(dir, PROMOTION_OUTCOMES_FILE), 'utf8')
    .split('\n')
    .filter((line) => line !== '').length;

describe('FilePromotionOutcomeStore', () => {
  it('keeps the newest outcome of an id across a restart, in a private file', async () => {
    const dir = stateDir();
    const first = new FilePromotionOutcomeStore({ dir, now: () => at(1) });
    await first.put(outcome('p-1'));
    await first.put({ ...outcome('p-1', 'promoted'), changes: [{ repository: 'gitops', branch: 'main', commit: 'abc1234' }] });
    first.close();
    // A torn last line from a crash and a line of another shape are skipped.
    appendFileSync(join(dir, PROMOTION_OUTCOMES_FILE), '{"id":"torn","sta');
    const again = new FilePromotionOutcomeStore({ dir, now: () => at(2) });
    expect(await again.get('p-1')).toEqual({ ...outcome('p-1', 'promoted'), changes: [{ repository: 'gitops', branch: 'main', commit: 'abc1234' }] });
    expect(await again.get('torn')).toBeUndefined();
    expect(statSync(join(dir, PROMOTION_OUTCOMES_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    again.close();
  });

  it('forgets an outcome once its TTL has passed since its last update', async () => {
    let now = at(0);
    const store = new FilePromotionOutcomeStore({ dir: stateDir(), ttlMs: 10 * 3600_000, now: () => now });
    await store.put(outcome('p-1'));
    now = at(9);
    expect(await store.get('p-1')).toBeDefined();
    now = at(11);
    expect(await store.get('p-1')).toBeUndefined();
    store.close();
  });

  it('keeps at most maxEntries outcomes, dropping the least recently written, and compacts its journal', async () => {
    const dir = stateDir();
    const store = new FilePromotionOutcomeStore({ dir, maxEntries: 3, now: () => at(0) });
    for (const id of ['a', 'b', 'c']) await store.put(outcome(id));
    await store.put(outcome('a', 'promoted'));
    await store.put(outcome('d'));
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.status).toBe('promoted');
    for (let i = 0; i < 2000; i += 1) await store.put(outcome(`x${i % 3}`));
    store.close();
    // About twice the live entries plus the slack, never one line per write.
    expect(journalLines(dir)).toBeLessThan(1100);
    const again = new FilePromotionOutcomeStore({ dir, maxEntries: 3, now: () => at(0) });
    expect(again.size).toBe(3);
    again.close();
  });

  it('refuses a maxEntries that is not a positive whole number, naming the prop', () => {
    expect(() => new FilePromotionOutcomeStore({ dir: stateDir(), maxEntries: 0 })).toThrow(/^FilePromotionOutcomeStoreProps\.maxEntries: /);
  });
});
