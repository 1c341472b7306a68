import { chmodSync, copyFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileSecretSource, localSecretArn } from '../lambdas/clients/local/file-secret-source';
import { FileSecretSyncState } from '../lambdas/clients/local/file-secret-sync-state';
import { MemorySecretSyncState } from '../lambdas/clients/local/memory-secret-sync-state';
import { slackNotifiers } from '../lambdas/clients/slack-notifier';
import { VaultKvClient } from '../lambdas/clients/vault/vault-kv-client';
import type { PromotionConfig, SlackDestination } from '../lambdas/core/config/promotion-config';
import type { AuditLog } from '../lambdas/core/ports';
import { reconcileSecrets } from '../lambdas/core/secrets/reconcile-secrets';
import type { SecretChange } from '../lambdas/core/secrets/secret-change';
import { secretScopeOf } from '../lambdas/core/secrets/secret-scope';
import { type SecretSyncOutcome, syncSecrets } from '../lambdas/core/secrets/sync-secrets';
import { providerCache } from '../lambdas/providers/create-provider';
import { logger } from '../lambdas/shared/logger';
import { startEmbeddedVault } from './embedded-vault';

/** The example secrets `npm start` copies into its work directory on first start. */
const EXAMPLE_SECRETS = resolve(import.meta.dirname, 'examples', 'secrets.json');

/** The secrets sync as the dev server runs it. */
export interface LocalSecretsSync {
  /** Where the values come from: a JSON file standing in for Secrets Manager. */
  readonly secretsFile: string;
  /** The Vault it writes to, and whether that is the embedded one. */
  readonly vault: { readonly url: string; readonly embedded: boolean; readonly token?: string };
  /** Syncs one secret by name, as a Secrets Manager change event would. */
  syncByName(name: string, change: SecretChange['change'], id: string): Promise<SecretSyncOutcome>;
  /** Every secret of the file in the sync's scope, as the scheduled reconcile does. */
  reconcile(): Promise<SecretSyncOutcome[]>;
  close(): Promise<void>;
}

export interface LocalSecretsSyncOptions {
  readonly config: PromotionConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly workDir: string;
  readonly stateDir: string;
  readonly audit: AuditLog;
}

/**
 * The same sync core as the secrets-sync function, with a secrets file for
 * Secrets Manager and, unless HOIST_VAULT_ADDR names a real one, an
 * embedded KV v2 Vault on loopback whose data lives in memory (so its sync
 * state does too: both start empty at every start).
 */
export async function createLocalSecretsSync(options: LocalSecretsSyncOptions): Promise<LocalSecretsSync | undefined> {
  const { config, env } = options;
  const settings = config.secrets;
  if (settings === undefined || !settings.enabled) return undefined;
  const secretsFile = env.HOIST_SECRETS_FILE ?? join(options.workDir, 'secrets.json');
  if (env.HOIST_SECRETS_FILE === undefined && !existsSync(secretsFile)) {
    copyFileSync(EXAMPLE_SECRETS, secretsFile);
    // It holds (stand-in) secret values: the owner's alone, like the state files.
    chmodSync(secretsFile, 0o600);
  }
  const source = new FileSecretSource(secretsFile);
  const external = env.HOIST_VAULT_ADDR;
  const tokenVariable = settings.vault.auth.method === 'token' ? (settings.vault.auth.env ?? 'HOIST_VAULT_TOKEN') : 'HOIST_VAULT_TOKEN';
  const embedded = external === undefined ? await startEmbeddedVault({}) : undefined;
  const url = external ?? (embedded?.url as string);
  const token = external === undefined ? (embedded?.token as string) : env[tokenVariable];
  const vault = new VaultKvClient({
    url,
    ...(external !== undefined && settings.vault.namespace ? { namespace: settings.vault.namespace } : {}),
    token: async () => {
      if (token === undefined) throw new Error(`set ${tokenVariable} to a token of the Vault at HOIST_VAULT_ADDR`);
      return token;
    },
  });
  const deps = {
    config,
    source,
    vault,
    // A real Vault keeps its versions across restarts, so the state does too.
    syncStates: embedded === undefined ? new FileSecretSyncState(options.stateDir) : new MemorySecretSyncState(),
    providerFor: providerCache(async (repository) => (repository.credentials.env ? env[repository.credentials.env] : undefined)),
    audit: options.audit,
    notifierFor: slackNotifiers<SlackDestination>((destination) => {
      const slackUrl = destination?.env ? env[destination.env] : env[config.slack.env ?? 'HOIST_SLACK_WEBHOOK_URL'];
      return slackUrl ? async () => slackUrl : undefined;
    }),
    log: logger,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, ms)),
  };
  const changeOf = (name: string, change: SecretChange['change'], id: string): SecretChange => ({
    type: 'secret.changed',
    id,
    secretArn: localSecretArn(name),
    name,
    change,
    occurredAt: new Date().toISOString(),
  });
  return {
    secretsFile,
    vault: { url, embedded: embedded !== undefined, ...(embedded ? { token: embedded.token } : {}) },
    syncByName: (name, change, id) => syncSecrets([changeOf(name, change, id)], deps),
    reconcile: async () => {
      // The scheduled function's core queues one change per secret; here the queue is a list.
      const queued: SecretChange[] = [];
      await reconcileSecrets(
        { scope: secretScopeOf(settings), source },
        { queue: { enqueue: async (changes) => void queued.push(...changes) }, now: () => new Date() },
      );
      // Synced as one batch, as the function takes a batch off the queue: one commit for the manifests.
      return queued.length === 0 ? [] : [await syncSecrets(queued, deps)];
    },
    close: async () => {
      await embedded?.stop();
    },
  };
}
