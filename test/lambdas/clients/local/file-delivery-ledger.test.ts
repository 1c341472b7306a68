import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DELIVERY_JOURNAL, FileDeliveryLedger } from '../../../../lambdas/clients/local/file-delivery-ledger';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'hoist-ledger-')), 'state');
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
const journalLines = (dir: string) =>
  readFileSync(join(dir, DELIVERY_JOURNAL), 'utf8')
    .split('\n')
    .filter((line) => line !== '').length;

describe('FileDeliveryLedger: the ledger rules', () => {
  it('claims once, reports a live claim as in progress and a completed one as a duplicate', async () => {
    const ledger = new FileDeliveryLedger({ dir: stateDir(), now: at(0) });
    expect(await ledger.claim('github:a', at(0))).toBe('claimed');
    expect(await ledger.claim('github:a', at(1))).toBe('in-progress');
    await ledger.complete('github:a', at(2));
    expect(await ledger.claim('github:a', at(3))).toBe('duplicate');
    ledger.close();
  });

  it('lets a lapsed lease, a released claim and an expired id be claimed again', async () => {
    const ledger = new FileDeliveryLedger({ dir: stateDir(), now: at(0), leaseMs: 10_000, ttlMs: 100_000 });
    await ledger.claim('lapsed', at(0));
    expect(await ledger.claim('lapsed', at(11))).toBe('claimed');
    await ledger.claim('released', at(0));
    await ledger.release('released');
    expect(await ledger.claim('released', at(1))).toBe('claimed');
    await ledger.claim('expired', at(0));
    await ledger.complete('expired', at(0));
    expect(await ledger.claim('expired', at(99))).toBe('duplicate');
    expect(await ledger.claim('expired', at(101))).toBe('claimed');
    ledger.close();
  });
});

describe('FileDeliveryLedger: across restarts', () => {
  it('remembers completed ids, live claims and releases after it is opened again', async () => {
    const dir = stateDir();
    const first = new FileDeliveryLedger({ dir, now: at(0) });
    await first.claim('done', at(0));
    await first.complete('done', at(0));
    await first.claim('running', at(0));
    await first.claim('given-back', at(0));
    await first.release('given-back');
    first.close();

    const second = new FileDeliveryLedger({ dir, now: at(5) });
    expect(await second.claim('done', at(5))).toBe('duplicate');
    expect(await second.claim('running', at(5))).toBe('in-progress');
    expect(await second.claim('given-back', at(5))).toBe('claimed');
    second.close();
  });

  it('forgets ids that expired while it was stopped', async () => {
    const dir = stateDir();
    const first = new FileDeliveryLedger({ dir, now: at(0), ttlMs: 60_000 });
    await first.claim('old', at(0));
    await first.complete('old', at(0));
    first.close();
    const second = new FileDeliveryLedger({ dir, now: at(120), ttlMs: 60_000 });
    expect(second.size).toBe(0);
    expect(journalLines(dir)).toBe(0);
    second.close();
  });

  it('reads past a line torn by a crash and keeps appending whole lines', async () => {
    const dir = stateDir();
    const first = new FileDeliveryLedger({ dir, now: at(0) });
    await first.claim('kept', at(0));
    await first.complete('kept', at(0));
    first.close();
    appendFileSync(join(dir, DELIVERY_JOURNAL), '{"key":"torn","sta');

    const second = new FileDeliveryLedger({ dir, now: at(1) });
    expect(await second.claim('kept', at(1))).toBe('duplicate');
    expect(await second.claim('after', at(1))).toBe('claimed');
    second.close();
    const third = new FileDeliveryLedger({ dir, now: at(2) });
    expect(await third.claim('after', at(2))).toBe('in-progress');
    third.close();
  });
});

describe('FileDeliveryLedger: bounded', () => {
  it('keeps at most maxEntries ids in memory and about twice that many lines on disk after 200,000 deliveries', async () => {
    const dir = stateDir();
    const ledger = new FileDeliveryLedger({ dir, now: at(0), maxEntries: 1000 });
    for (let i = 0; i < 200_000; i += 1) {
      await ledger.claim(`github:${i}`, at(i));
      await ledger.complete(`github:${i}`, at(i));
    }
    expect(ledger.size).toBe(1000);
    expect(journalLines(dir)).toBeLessThanOrEqual(2 * 1000 + 1024 + 1);
    ledger.close();

    const reopened = new FileDeliveryLedger({ dir, now: at(200_000), maxEntries: 1000 });
    expect(reopened.size).toBe(1000);
    expect(journalLines(dir)).toBe(1000);
    expect(await reopened.claim('github:199999', at(200_000))).toBe('duplicate');
    expect(await reopened.claim('github:199000', at(200_000))).toBe('duplicate');
    // The oldest were forgotten to stay under the cap.
    expect(await reopened.claim('github:198999', at(200_000))).toBe('claimed');
    reopened.close();
  }, 120_000);
});

describe('FileDeliveryLedger: file modes', () => {
  it('keeps its directory 0700 and its journal 0600, even when they existed with wider modes', async () => {
    const dir = stateDir();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    appendFileSync(join(dir, DELIVERY_JOURNAL), '');
    chmodSync(join(dir, DELIVERY_JOURNAL), 0o644);
    const ledger = new FileDeliveryLedger({ dir });
    await ledger.claim('x', new Date());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, DELIVERY_JOURNAL)).mode & 0o777).toBe(0o600);
    ledger.close();
  });
});
