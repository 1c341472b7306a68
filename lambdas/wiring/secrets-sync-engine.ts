import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDbAuditLog } from '../clients/aws/dynamodb-promotion-stores';
import { DynamoDbSecretSyncState } from '../clients/aws/dynamodb-secret-sync-state';
import { SecretsManagerSecretSource } from '../clients/aws/secrets-manager-secret-source';
import { secretsManagerStrings } from '../clients/aws/secrets-manager-strings';
import { VaultKvClient } from '../clients/vault/vault-kv-client';
import { awsIamVaultLogin } from '../clients/vault/vault-token';
import type { PromotionConfig } from '../core/config/promotion-config';
import type { SecretChange } from '../core/secrets/secret-change';
import type { SecretSyncConfig } from '../core/secrets/secret-sync-config';
import { type SecretSyncOutcome, syncSecrets } from '../core/secrets/sync-secrets';
import { TerminalError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { SecretsSyncEnv } from './lambda-secrets-sync';
import { providersFromSecrets, slackNotifiersFromSecrets } from './secrets-manager-clients';

/** What the secrets-sync function loads with its first batch: the sync and every client it may call. */
export interface SecretsSyncEngine {
  sync(changes: readonly SecretChange[]): Promise<SecretSyncOutcome>;
}

/** What the secrets-sync function read at cold start, shared with the engine. */
export interface SecretsSyncEngineInput {
  readonly env: SecretsSyncEnv;
  readonly config: PromotionConfig;
  /** The config's secrets: section, which the function checked it has. */
  readonly settings: SecretSyncConfig;
}

/**
 * The secrets sync on AWS: secret values from Secrets Manager (read per
 * change, never cached), the Vault token from Secrets Manager or a login
 * with the function's own IAM role, Git tokens and the Slack URL from
 * Secrets Manager (cached five minutes), sync state and audit in DynamoDB.
 * Imported by wireLambdaSecretsSync with the first batch, so that none of it
 * weighs on the cold start.
 */
export function secretsSyncEngine({ env, config, settings }: SecretsSyncEngineInput): SecretsSyncEngine {
  const secretsManager = new SecretsManagerClient({});
  const secret = secretsManagerStrings(secretsManager);
  const { vault } = settings;
  const auth = vault.auth;
  const login =
    auth.method === 'aws-iam'
      ? awsIamVaultLogin({
          url: vault.url,
          ...(vault.namespace ? { namespace: vault.namespace } : {}),
          mount: auth.mount,
          role: auth.role,
          ...(auth.serverId ? { serverId: auth.serverId } : {}),
          ...(auth.stsRegion ? { stsRegion: auth.stsRegion } : {}),
        })
      : undefined;
  const tokenSecretName = auth.method === 'token' ? (auth.tokenSecretName ?? env.HOIST_VAULT_TOKEN_SECRET_NAME) : undefined;
  // After a 403 the stored token is read again, past the cache: it may have been rotated.
  let refetchToken = false;
  const token = login
    ? () => login.token()
    : async () => {
        if (tokenSecretName === undefined) throw new TerminalError('secrets.vault.auth.tokenSecretName: needed on AWS (env is for the dev server)');
        const value = await secret(tokenSecretName, { forceFetch: refetchToken });
        refetchToken = false;
        return value;
      };
  const dynamo = new DynamoDBClient({});
  const audit = new DynamoDbAuditLog(dynamo, env.HOIST_TABLE_NAME);
  const deps = {
    config,
    source: new SecretsManagerSecretSource({ client: secretsManager }),
    vault: new VaultKvClient({
      url: vault.url,
      ...(vault.namespace ? { namespace: vault.namespace } : {}),
      token,
      onForbidden: () => {
        if (login) login.forget();
        else refetchToken = true;
      },
    }),
    syncStates: new DynamoDbSecretSyncState(dynamo, env.HOIST_TABLE_NAME),
    providerFor: providersFromSecrets(secret),
    audit,
    notifierFor: slackNotifiersFromSecrets(config, secret),
    log: logger,
    now: () => new Date(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  return {
    sync: async (changes) => {
      const outcome = await syncSecrets(changes, deps);
      logger.info('secrets synced', {
        changes: changes.length,
        synced: outcome.synced.map((s) => `${s.vaultPath}: ${s.vault}`),
        ignored: outcome.ignored.length,
        failures: outcome.failures.length,
        ...(outcome.manifests ? { manifestsCommit: outcome.manifests.commit } : {}),
      });
      return outcome;
    },
  };
}
