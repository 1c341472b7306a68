import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDevSettings } from '../../dev/dev-settings';
import { type LocalDevServer, startLocalDevServer } from '../../dev/dev-wiring';
import { AUDIT_FILE } from '../../lambdas/clients/local/file-audit-log';

/*
 * `npm start`'s secrets flow over HTTP: the example secrets file stands in
 * for Secrets Manager, the embedded Vault on loopback for Vault, and the
 * ExternalSecret lands in the embedded GitOps repository.
 */

const show = (bareRepo: string, path: string) => execFileSync('git', ['--git-dir', bareRepo, 'show', `main:${path}`], { encoding: 'utf8' });
const log = (bareRepo: string) => execFileSync('git', ['--git-dir', bareRepo, 'log', '--format=%s', 'main'], { encoding: 'utf8' }).trim().split('\n');

async function post(server: LocalDevServer, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function vaultRead(server: LocalDevServer, path: string): Promise<{ data: Record<string, unknown>; metadata: { version: number } }> {
  const vault = server.secrets?.vault;
  const res = await fetch(`${vault?.url}/v1/secret/data/${path}`, { headers: { 'x-vault-token': vault?.token ?? '' } });
  return ((await res.json()) as { data: { data: Record<string, unknown>; metadata: { version: number } } }).data;
}

describe('dev server: secrets sync', () => {
  let server: LocalDevServer | undefined;
  afterEach(async () => server?.close());

  const start = async () => {
    const workDir = join(mkdtempSync(join(tmpdir(), 'hoist-dev-secrets-')), '.hoist');
    server = await startLocalDevServer(readDevSettings({ HOIST_WORK_DIR: workDir, PORT: '0' }), {});
    return { server, workDir, bareRepo: server.embedded?.bareRepo as string };
  };

  it('writes a simulated change into the embedded Vault and commits its ExternalSecret', async () => {
    const { server, bareRepo, workDir } = await start();
    expect(server.secrets?.vault.embedded).toBe(true);

    const answer = await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev' });

    expect(answer).toMatchObject({
      status: 200,
      body: { status: 'synced', synced: [{ vaultPath: 'secret/apps/api/dev/config', vault: 'written', vaultVersion: 1 }] },
    });
    const example = JSON.parse(readFileSync('dev/examples/secrets.json', 'utf8')) as Record<string, { value: Record<string, string> }>;
    expect((await vaultRead(server, 'apps/api/dev/config')).data).toEqual(example['hoist/apps/api/dev']?.value);
    const manifest = show(bareRepo, 'apps/api/dev/secrets.yaml');
    expect(manifest).toContain('kind: ExternalSecret');
    expect(manifest).toContain('property: DATABASE_URL');
    expect(show(bareRepo, 'platform/secret-stores.yaml')).toContain('kind: ClusterSecretStore');
    // Names in Git and audit, values in Vault only.
    const audit = readFileSync(join(workDir, 'state', AUDIT_FILE), 'utf8');
    for (const value of Object.values(example['hoist/apps/api/dev']?.value ?? {})) {
      expect(manifest).not.toContain(value);
      expect(audit).not.toContain(value);
      expect(JSON.stringify(answer.body)).not.toContain(value);
    }
  });

  it('repairs drift in one reconcile: a changed value and the secrets never synced, in one commit', async () => {
    const { server, bareRepo, workDir } = await start();
    await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev' });
    const secrets = JSON.parse(readFileSync(join(workDir, 'secrets.json'), 'utf8')) as Record<string, { value: Record<string, string> }>;
    (secrets['hoist/apps/api/dev'] as { value: Record<string, string> }).value.FEATURE_FLAGS = 'beta';
    writeFileSync(join(workDir, 'secrets.json'), JSON.stringify(secrets));

    const answer = await post(server, '/reconcile/secrets');

    expect(answer.status).toBe(200);
    expect(answer.body.synced).toEqual([
      expect.objectContaining({ secret: 'hoist/apps/api/dev', vault: 'written', vaultVersion: 2, cause: 'reconcile' }),
      expect.objectContaining({ secret: 'hoist/apps/api/prod', vault: 'written', vaultVersion: 1 }),
      expect.objectContaining({ secret: 'legacy/web-session-key', vaultPath: 'secret/apps/web/dev/config', vault: 'written' }),
    ]);
    expect(log(bareRepo).slice(0, 2)).toEqual(['chore(secrets): manifests for api/dev, api/prod, web/dev', 'chore(secrets): manifests for api/dev']);
    expect(show(bareRepo, 'apps/api/dev/secrets.yaml')).toContain('property: FEATURE_FLAGS');
    expect(show(bareRepo, 'apps/web/dev/secrets.yaml')).toContain('property: SESSION_KEY');
  });

  it("answers what it did not do: an unmapped secret, a bad body, a value that cannot sync, a broken file, a person's change in Vault", async () => {
    const { server, workDir } = await start();
    expect(await post(server, '/events/secrets', { secret: 'team/db' })).toMatchObject({
      status: 200,
      body: { status: 'ignored', ignored: [{ secret: 'team/db', reason: expect.stringContaining('matches no entry') }] },
    });
    expect(await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev', change: 'exploded' })).toMatchObject({
      status: 400,
      body: { reason: expect.stringContaining('change:') },
    });
    expect(await post(server, '/events/secrets', '{not json')).toMatchObject({ status: 400, body: { reason: 'body is not valid JSON' } });

    // What Secrets Manager would hold but cannot sync is refused by key; the value is not repeated.
    const file = join(workDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...secrets, 'hoist/apps/nested/dev': { value: { DB: { password: 'nested-marker' } } } }));
    const nested = await post(server, '/events/secrets', { secret: 'hoist/apps/nested/dev' });
    expect(nested).toMatchObject({
      status: 409,
      body: { failures: ['secret hoist/apps/nested/dev: key DB holds a nested object; only strings, numbers and booleans sync'] },
    });
    // A secrets file that cannot be read is the stand-in service failing, not a bad request.
    writeFileSync(file, '{ "truncated": ');
    expect(await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev' })).toMatchObject({
      status: 502,
      body: { reason: expect.stringContaining('not readable JSON (parse error)') },
    });
    writeFileSync(file, JSON.stringify(secrets));

    // A person writes in Vault by hand; the next change is not written over it.
    await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev' });
    const vault = server.secrets?.vault;
    await fetch(`${vault?.url}/v1/secret/data/apps/api/dev/config`, {
      method: 'POST',
      headers: { 'x-vault-token': vault?.token ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ data: { DATABASE_URL: 'by hand' } }),
    });
    const conflict = await post(server, '/events/secrets', { secret: 'hoist/apps/api/dev', change: 'rotated' });
    expect(conflict).toMatchObject({ status: 409, body: { status: 'failed', failures: [expect.stringContaining('which Hoist did not write')] } });
    expect((await vaultRead(server, 'apps/api/dev/config')).data).toEqual({ DATABASE_URL: 'by hand' });
  });
});
