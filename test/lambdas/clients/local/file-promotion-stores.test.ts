import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_FILE, FileAuditLog } from '../../../../lambdas/clients/local/file-audit-log';
import { FileTargetStateStore, TARGET_STATES_FILE } from '../../../../lambdas/clients/local/file-target-state-store';
import type { AuditRecord } from '../../../../lambdas/core/ports';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'hoist-stores-')), 'state');

describe('FileTargetStateStore', () => {
  it('keeps what Hoist wrote and the revert holds across restarts, in one 0600 file and nothing else', async () => {
    const dir = stateDir();
    const first = new FileTargetStateStore(dir);
    await first.put('gitops:main:apps/api/dev/values.yaml:api.image.tag', { lastWrittenTag: '1.4.3' });
    await first.put('gitops:main:apps/web/dev/values.yaml:web.image.tag', { lastWrittenTag: '2.0.0', heldAbove: '2.0.0' });
    await first.put('gitops:main:apps/api/dev/values.yaml:api.image.tag', { lastWrittenTag: '1.4.3', heldAbove: '1.4.3' });

    const second = new FileTargetStateStore(dir);
    const found = await second.get(['gitops:main:apps/api/dev/values.yaml:api.image.tag', 'gitops:main:apps/web/dev/values.yaml:web.image.tag', 'unknown']);
    expect(Object.fromEntries(found)).toEqual({
      'gitops:main:apps/api/dev/values.yaml:api.image.tag': { lastWrittenTag: '1.4.3', heldAbove: '1.4.3' },
      'gitops:main:apps/web/dev/values.yaml:web.image.tag': { lastWrittenTag: '2.0.0', heldAbove: '2.0.0' },
    });
    // Written by temp file and rename: no temporary file is left behind.
    expect(readdirSync(dir)).toEqual([TARGET_STATES_FILE]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, TARGET_STATES_FILE)).mode & 0o777).toBe(0o600);
  });

  it("keeps a person's hold, and sees and keeps one another process wrote meanwhile", async () => {
    const dir = stateDir();
    const server = new FileTargetStateStore(dir);
    await server.put('api-dev', { lastWrittenTag: '1.4.3' });
    // The CLI holds a target while the dev server runs: its store is a second one on the same file.
    const hold = { by: 'alice', at: '2026-11-23T08:00:00.000Z', reason: 'release freeze' };
    await new FileTargetStateStore(dir).put('api-prod', { lastWrittenTag: '1.4.2', hold });
    expect(Object.fromEntries(await server.get(['api-prod']))).toEqual({ 'api-prod': { lastWrittenTag: '1.4.2', hold } });
    await server.put('api-dev', { lastWrittenTag: '1.4.4' });
    expect(Object.fromEntries(await new FileTargetStateStore(dir).get(['api-dev', 'api-prod']))).toEqual({
      'api-dev': { lastWrittenTag: '1.4.4' },
      'api-prod': { lastWrittenTag: '1.4.2', hold },
    });
  });

  it('refuses to start from a file it did not write, naming the file and the path', () => {
    const dir = stateDir();
    new FileTargetStateStore(dir);
    writeFileSync(join(dir, TARGET_STATES_FILE), JSON.stringify({ version: 1, states: { a: { lastWrittenTag: 3 } } }));
    expect(() => new FileTargetStateStore(dir)).toThrow(`${join(dir, TARGET_STATES_FILE)} is invalid: states.a.lastWrittenTag: `);
    writeFileSync(join(dir, TARGET_STATES_FILE), '{"version": 1, "sta');
    expect(() => new FileTargetStateStore(dir)).toThrow('is not valid JSON; fix or delete it');
  });
});

describe('FileAuditLog', () => {
  const record = (i: number): AuditRecord => ({
    id: `r${i}`,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    outcome: 'noop',
    events: [`e${i}`],
    durationMs: 1,
  });

  it('appends JSON lines across restarts and keeps only the newest records in memory', async () => {
    const dir = stateDir();
    const first = new FileAuditLog({ dir, recentLimit: 3 });
    for (let i = 0; i < 5; i += 1) await first.record(record(i));
    expect(first.recent().map((r) => r.id)).toEqual(['r2', 'r3', 'r4']);
    first.close();
    const second = new FileAuditLog({ dir, recentLimit: 3 });
    await second.record(record(5));
    expect(second.recent().map((r) => r.id)).toEqual(['r5']);
    second.close();

    const lines = readFileSync(join(dir, AUDIT_FILE), 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as AuditRecord).id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(JSON.parse(lines[0] ?? '')).toEqual(record(0));
    expect(statSync(join(dir, AUDIT_FILE)).mode & 0o777).toBe(0o600);
  });
});
