import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedVault, startEmbeddedVault } from '../../../../dev/embedded-vault';
import { FileSecretSource, localSecretArn } from '../../../../lambdas/clients/local/file-secret-source';
import { MemoryAuditLog } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { MemorySecretSyncState } from '../../../../lambdas/clients/local/memory-secret-sync-state';
import { SlackWebhookNotifier } from '../../../../lambdas/clients/slack-notifier';
import { VaultKvClient } from '../../../../lambdas/clients/vault/vault-kv-client';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { SecretChange } from '../../../../lambdas/core/secrets/secret-change';
import { type SecretSyncDeps, syncSecrets } from '../../../../lambdas/core/secrets/sync-secrets';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../../lambdas/providers/git-cli-provider';
import { UnavailableError } from '../../../../lambdas/shared/errors';
import { closedLocalOrigin } from '../../../support/closed-port';
import { type FakeSlack, startFakeSlack } from '../../../support/fake-slack';
import { createBareRepo, type PersonClone } from '../../../support/git-repo';
import { rejectionOf } from '../../../support/rejection-of';

/*
 * The sync core end to end on real stand-ins: the embedded Vault (KV v2 as
 * Vault documents it, check-and-set included), a real bare Git repository
 * through the git provider, a secrets file for Secrets Manager, and the fake
 * Slack incoming webhook.
 */

const configText = (bare: string, extra = '') => `repositories: [{ name: gitops, provider: git, url: ${JSON.stringify(bare)} }]
secrets:
  vault: { url: http://127.0.0.1:1, auth: { method: token, env: HOIST_VAULT_TOKEN }${extra} }
  mapping:
    entries: [{ secret: legacy/web-session, service: web, environment: dev, plainKey: SESSION_KEY }]
  manifests: { repository: gitops, vaultAddress: "http://vault.vault.svc:8200" }
`;

let vault: EmbeddedVault;
let slack: FakeSlack;
let repo: { bare: string; person: PersonClone };
let secretsFile: string;
let audit: MemoryAuditLog;
let states: MemorySecretSyncState;
let warnings: Array<Record<string, unknown>>;

function writeSecrets(entries: Record<string, unknown>): void {
  writeFileSync(secretsFile, JSON.stringify(entries));
}

function depsFor(extra = '', overrides: Partial<SecretSyncDeps> = {}): SecretSyncDeps {
  const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-secrets-git-'));
  return {
    config: parsePromotionConfig(configText(repo.bare, extra)),
    source: new FileSecretSource(secretsFile),
    vault: new VaultKvClient({ url: vault.url, token: async () => vault.token }),
    syncStates: states,
    providerFor: providerCache(
      async () => undefined,
      (r) => new GitCliProvider({ url: r.url, cacheDir }),
    ),
    audit,
    notifierFor: () => new SlackWebhookNotifier(async () => slack.url),
    log: { warn: (message, ...rest) => warnings.push({ message, ...Object.assign({}, ...rest) }) },
    now: () => new Date('2026-11-23T09:00:00Z'),
    sleep: async () => undefined,
    ...overrides,
  };
}

const change = (name: string, kind: SecretChange['change'] = 'updated', id = `cloudtrail:${name}:${kind}`): SecretChange => ({
  type: 'secret.changed',
  id,
  secretArn: localSecretArn(name),
  name,
  change: kind,
  occurredAt: '2026-11-23T08:59:00Z',
});

beforeEach(async () => {
  vault = await startEmbeddedVault();
  slack = await startFakeSlack();
  repo = createBareRepo({ 'README.md': 'gitops\n' });
  secretsFile = join(mkdtempSync(join(tmpdir(), 'hoist-secrets-')), 'secrets.json');
  audit = new MemoryAuditLog();
  states = new MemorySecretSyncState();
  warnings = [];
});
afterEach(async () => {
  await vault.stop();
  await slack.close();
});

describe('secrets sync: Secrets Manager to Vault KV v2 and the manifests', () => {
  it('writes a new path with cas 0, commits the ExternalSecret and the stores, and says so in Slack and audit', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1', API_KEY: 'k-1' } } });

    const outcome = await syncSecrets([change('hoist/apps/api/dev')], depsFor());

    expect(vault.read('secret', 'apps/api/dev/config')).toMatchObject({ version: 1, data: { DB_PASSWORD: 'pw-1', API_KEY: 'k-1' } });
    expect(outcome.synced).toEqual([
      {
        secret: 'hoist/apps/api/dev',
        service: 'api',
        environment: 'dev',
        vaultPath: 'secret/apps/api/dev/config',
        cause: 'change',
        vault: 'written',
        vaultVersion: 1,
      },
    ]);
    expect(outcome.manifests?.files).toEqual(['apps/api/dev/secrets.yaml', 'platform/secret-stores.yaml']);
    const manifest = repo.person.show('main', 'apps/api/dev/secrets.yaml');
    expect(manifest).toContain('kind: ExternalSecret');
    expect(manifest).toMatch(/secretKey: API_KEY[\s\S]*secretKey: DB_PASSWORD/);
    expect(manifest).toContain('key: apps/api/dev/config');
    expect(repo.person.show('main', 'platform/secret-stores.yaml')).toContain('server: http://vault.vault.svc:8200');
    expect(repo.person.log()[0]).toBe('chore(secrets): manifests for api/dev');
    expect(slack.messages).toHaveLength(1);
    expect(slack.messages[0]?.text).toBe('Hoist synced api/dev secrets');
    expect(audit.records).toEqual([
      expect.objectContaining({
        outcome: 'secrets-synced',
        repository: 'gitops',
        branch: 'main',
        commit: outcome.manifests?.commit,
        events: ['cloudtrail:hoist/apps/api/dev:updated'],
      }),
    ]);
    expect(await states.get(['secret/apps/api/dev/config'])).toEqual(
      new Map([['secret/apps/api/dev/config', expect.objectContaining({ vaultVersion: 1, secretArn: localSecretArn('hoist/apps/api/dev') })]]),
    );
  });

  it('changes nothing, and tells nobody, when Vault and the manifest already agree', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    const commits = repo.person.log().length;

    const again = await syncSecrets([change('hoist/apps/api/dev', 'reconcile')], depsFor());

    expect(again.synced).toEqual([expect.objectContaining({ vault: 'unchanged', vaultVersion: 1, cause: 'reconcile' })]);
    expect(again.manifests).toBeUndefined();
    expect(vault.read('secret', 'apps/api/dev/config')?.version).toBe(1);
    expect(repo.person.log()).toHaveLength(commits);
    expect(slack.messages).toHaveLength(1);
  });

  it('writes a new version with cas set to the one it last wrote, and adds the new key to the manifest in place', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    // A person's comment in the manifest stays where it is.
    const before = repo.person.show('main', 'apps/api/dev/secrets.yaml');
    repo.person.change('apps/api/dev/secrets.yaml', before.replace('spec:', 'spec: # reviewed by platform'), 'note');
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-2', REDIS_URL: 'redis://r' } } });

    const outcome = await syncSecrets([change('hoist/apps/api/dev')], depsFor());

    expect(outcome.synced[0]).toMatchObject({ vault: 'written', vaultVersion: 2 });
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ DB_PASSWORD: 'pw-2', REDIS_URL: 'redis://r' });
    const after = repo.person.show('main', 'apps/api/dev/secrets.yaml');
    expect(after).toContain('spec: # reviewed by platform');
    expect(after).toContain('secretKey: REDIS_URL');
    // Only lines were added: everything the file had is still there, in order.
    expect(after.startsWith(before.replace('spec:', 'spec: # reviewed by platform').split('\n').slice(0, -3).join('\n'))).toBe(true);
  });

  it('never overwrites a version a person wrote in Vault: retried, then reported with the reason', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    vault.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'set-by-hand' });
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-2' } } });
    const sleeps: number[] = [];

    const outcome = await syncSecrets([change('hoist/apps/api/dev')], depsFor('', { sleep: async (ms) => void sleeps.push(ms), backoffMs: (n) => n * 10 }));

    expect(vault.read('secret', 'apps/api/dev/config')).toMatchObject({ version: 2, data: { DB_PASSWORD: 'set-by-hand' } });
    expect(sleeps).toEqual([20, 30]);
    expect(outcome.failures).toEqual([
      {
        reason:
          'Vault path secret/apps/api/dev/config holds version 2, which Hoist did not write (it last wrote version 1); not overwritten. To resolve it, make Vault hold what Secrets Manager secret hoist/apps/api/dev holds (put the wanted value in both): Hoist then syncs the path again.',
        envelopeIds: ['cloudtrail:hoist/apps/api/dev:updated'],
        secret: 'hoist/apps/api/dev',
      },
    ]);
    expect(slack.messages.at(-1)?.text).toContain('Hoist could not sync hoist/apps/api/dev (needs a person; it will not be retried)');
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'secrets-failed', events: ['cloudtrail:hoist/apps/api/dev:updated'] });
  });

  it("counts a person's version with the same content as done, and owns the path from then on", async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    vault.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'pw-2' });
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-2' } } });

    const adopted = await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    expect(adopted.failures).toEqual([]);
    expect(adopted.synced[0]).toMatchObject({ vault: 'unchanged', vaultVersion: 2 });

    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-3' } } });
    const next = await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    expect(next.synced[0]).toMatchObject({ vault: 'written', vaultVersion: 3 });
  });

  it('does not take over a path that held a value before Hoist wrote there', async () => {
    vault.write('secret', 'apps/api/dev/config', { DB_PASSWORD: 'older' });
    writeSecrets({ 'hoist/apps/api/dev': { value: { DB_PASSWORD: 'pw-1' } } });

    const outcome = await syncSecrets([change('hoist/apps/api/dev')], depsFor());

    expect(outcome.failures[0]?.reason).toContain('holds version 1, which Hoist did not write (it last wrote nothing there)');
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ DB_PASSWORD: 'older' });
    expect(outcome.manifests).toBeUndefined();
  });

  it("never syncs one of Hoist's own credentials, whatever maps it", async () => {
    writeSecrets({ 'hoist/apps/vault/token': { value: 'hvs.the-vault-token' } });
    const deps = depsFor();
    const settings = deps.config.secrets;
    if (settings === undefined) throw new Error('no secrets section');
    const own = {
      ...deps,
      config: {
        ...deps.config,
        secrets: { ...settings, vault: { ...settings.vault, auth: { method: 'token' as const, tokenSecretName: 'hoist/apps/vault/token' } } },
      },
    };

    const outcome = await syncSecrets([change('hoist/apps/vault/token')], own);

    expect(outcome.failures[0]?.reason).toBe("secret hoist/apps/vault/token is one of Hoist's own credentials in hoist.config.yaml; it is never synced");
    expect(vault.read('secret', 'apps/vault/token/config')).toBeUndefined();
  });

  it('syncs a plain-string secret as the key its entry names', async () => {
    writeSecrets({ 'legacy/web-session': { value: 'opaque-session-key' } });

    const outcome = await syncSecrets([change('legacy/web-session')], depsFor());

    expect(vault.read('secret', 'apps/web/dev/config')?.data).toEqual({ SESSION_KEY: 'opaque-session-key' });
    expect(outcome.synced[0]).toMatchObject({ service: 'web', environment: 'dev' });
    expect(repo.person.show('main', 'apps/web/dev/secrets.yaml')).toContain('property: SESSION_KEY');
  });

  it('answers a secret that maps nowhere as ignored, with the reason, and writes nothing', async () => {
    writeSecrets({ 'team/db': { value: { A: 'a' } } });

    const outcome = await syncSecrets([change('team/db')], depsFor());

    expect(outcome.ignored).toEqual([{ secret: 'team/db', reason: expect.stringContaining('matches no entry') }]);
    expect(vault.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(repo.person.log()).toEqual(['seed']);
    expect(audit.records).toEqual([expect.objectContaining({ outcome: 'noop', reasons: [expect.stringContaining('team/db matches no entry')] })]);
  });

  it('leaves Vault alone when a secret is deleted, unless told to soft-delete what Hoist wrote', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { A: 'a' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    writeSecrets({});

    const left = await syncSecrets([change('hoist/apps/api/dev', 'deleted')], depsFor());
    expect(left.ignored[0]?.reason).toBe(
      'hoist/apps/api/dev is not in Secrets Manager (deleted, or never created); Vault path secret/apps/api/dev/config left as is (vault.onDelete: leave)',
    );
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ A: 'a' });

    const deleted = await syncSecrets([change('hoist/apps/api/dev', 'deleted', 'again')], depsFor(', onDelete: soft-delete'));
    expect(deleted.synced[0]).toMatchObject({ vault: 'deleted', vaultVersion: 1 });
    expect(vault.read('secret', 'apps/api/dev/config')).toMatchObject({ version: 1, deletionTime: expect.stringMatching(/^2\d{3}-/) });
  });

  it('does not soft-delete a version a person wrote', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { A: 'a' } } });
    await syncSecrets([change('hoist/apps/api/dev')], depsFor());
    vault.write('secret', 'apps/api/dev/config', { A: 'by hand' });
    writeSecrets({});

    const outcome = await syncSecrets([change('hoist/apps/api/dev', 'deleted')], depsFor(', onDelete: soft-delete'));

    expect(outcome.failures[0]?.reason).toContain('holds version 2, which Hoist did not write; not deleted');
    expect(vault.read('secret', 'apps/api/dev/config')?.data).toEqual({ A: 'by hand' });
  });

  it('leaves a path alone when a secret that does not own it is deleted', async () => {
    writeSecrets({ 'legacy/web-session': { value: 'b' } });
    await syncSecrets([change('legacy/web-session')], depsFor(', onDelete: soft-delete'));

    const outcome = await syncSecrets([change('hoist/apps/web/dev', 'deleted')], depsFor(', onDelete: soft-delete'));

    expect(outcome.ignored[0]?.reason).toBe(
      'hoist/apps/web/dev is not in Secrets Manager; Vault path secret/apps/web/dev/config is synced from legacy/web-session and left as is',
    );
    expect(vault.read('secret', 'apps/web/dev/config')).toMatchObject({ version: 1, deletionTime: '' });
  });

  it('refuses a second secret that maps to a Vault path another one syncs', async () => {
    writeSecrets({ 'hoist/apps/web/dev': { value: { A: 'a' } }, 'legacy/web-session': { value: 'b' } });
    await syncSecrets([change('hoist/apps/web/dev')], depsFor());

    const outcome = await syncSecrets([change('legacy/web-session')], depsFor());

    expect(outcome.failures[0]?.reason).toBe(
      'secrets hoist/apps/web/dev and legacy/web-session both map to Vault path secret/apps/web/dev/config; map one of them elsewhere (mapping.entries)',
    );
    expect(vault.read('secret', 'apps/web/dev/config')?.data).toEqual({ A: 'a' });
  });

  it('writes a VaultStaticSecret and the VaultAuth when the repository uses the Vault Secrets Operator, in a PR', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { A: 'a' } } });
    const deps = depsFor();
    const settings = deps.config.secrets;
    if (settings === undefined) throw new Error('no secrets section');
    const vso = {
      ...deps,
      config: { ...deps.config, secrets: { ...settings, manifests: { ...settings.manifests, operator: 'vso' as const, mode: 'pull-request' as const } } },
    };

    const outcome = await syncSecrets([change('hoist/apps/api/dev')], vso);

    // Plain git has no pull requests: the pushed branch is the proposal, main is untouched.
    expect(outcome.manifests?.branch).toBe('hoist/secrets');
    expect(repo.person.log()).toEqual(['seed']);
    const manifest = repo.person.show('hoist/secrets', 'apps/api/dev/secrets.yaml');
    expect(manifest).toContain('kind: VaultStaticSecret');
    expect(manifest).toContain('path: apps/api/dev/config');
    expect(repo.person.show('hoist/secrets', 'platform/secret-stores.yaml')).toContain('kind: VaultAuth');
  });

  it('commits the manifests of a batch in one commit', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { A: 'a' } }, 'hoist/apps/api/prod': { value: { A: 'b' } } });

    const outcome = await syncSecrets([change('hoist/apps/api/dev', 'reconcile'), change('hoist/apps/api/prod', 'reconcile')], depsFor());

    expect(outcome.manifests?.files).toEqual(['apps/api/dev/secrets.yaml', 'apps/api/prod/secrets.yaml', 'platform/secret-stores.yaml']);
    expect(repo.person.log()).toEqual(['chore(secrets): manifests for api/dev, api/prod', 'seed']);
  });

  it('throws for the queue to retry when Vault is unreachable, and says so in Slack and audit', async () => {
    writeSecrets({ 'hoist/apps/api/dev': { value: { A: 'a' } } });
    const origin = await closedLocalOrigin();

    const error = await rejectionOf(
      syncSecrets([change('hoist/apps/api/dev')], depsFor('', { vault: new VaultKvClient({ url: origin, token: async () => 't' }) })),
    );

    expect(error).toBeInstanceOf(UnavailableError);
    expect(slack.messages.at(-1)?.text).toContain('(it will be retried)');
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'secrets-failed', reasons: [expect.stringContaining('Vault unreachable')] });
    expect(repo.person.log()).toEqual(['seed']);
  });
});
