import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSecretSyncState, SECRET_SYNC_STATES_FILE } from '../../../../lambdas/clients/local/file-secret-sync-state';

const stateDir = () => join(mkdtempSync(join(tmpdir(), 'hoist-secret-states-')), 'state');
const state = {
  vaultVersion: 3,
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/api/dev-AbC123',
  sourceVersionId: 'v-3',
  syncedAt: '2026-11-23T09:05:13.000Z',
};

describe('FileSecretSyncState', () => {
  it('keeps the sync states across restarts, in one 0600 file and nothing else', async () => {
    const dir = stateDir();
    const first = new FileSecretSyncState(dir);
    await first.put('secret/apps/api/dev/config', state);
    await first.put('secret/apps/web/dev/config', { ...state, vaultVersion: 1 });
    await first.put('secret/apps/api/dev/config', { ...state, vaultVersion: 4, sourceVersionId: 'v-4' });

    const second = new FileSecretSyncState(dir);
    const found = await second.get(['secret/apps/api/dev/config', 'secret/apps/web/dev/config', 'secret/apps/none/dev/config']);
    expect(Object.fromEntries(found)).toEqual({
      'secret/apps/api/dev/config': { ...state, vaultVersion: 4, sourceVersionId: 'v-4' },
      'secret/apps/web/dev/config': { ...state, vaultVersion: 1 },
    });
    expect(readdirSync(dir)).toEqual([SECRET_SYNC_STATES_FILE]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, SECRET_SYNC_STATES_FILE)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, SECRET_SYNC_STATES_FILE), 'utf8')).version).toBe(1);
  });

  it('refuses to start from a file it did not write, naming the file and the path', () => {
    const dir = stateDir();
    new FileSecretSyncState(dir);
    writeFileSync(join(dir, SECRET_SYNC_STATES_FILE), JSON.stringify({ version: 1, states: { a: { ...state, vaultVersion: 'two' } } }));
    expect(() => new FileSecretSyncState(dir)).toThrow(`${join(dir, SECRET_SYNC_STATES_FILE)} is invalid: states.a.vaultVersion: `);
    writeFileSync(join(dir, SECRET_SYNC_STATES_FILE), '{"version": 1, "sta');
    expect(() => new FileSecretSyncState(dir)).toThrow('is not valid JSON; fix or delete it');
  });
});
