import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { DynamoDbAuditLog } from '../clients/aws/dynamodb-promotion-stores';
import { DynamoDbSecretSyncState } from '../clients/aws/dynamodb-secret-sync-state';
import { SecretsManagerSecretSource } from '../clients/aws/secrets-manager-secret-source';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import { slackNotifiers } from '../clients/slack-notifier';
import { VaultKvClient } from '../clients/vault/vault-kv-client';
import { awsIamVaultLogin } from '../clients/vault/vault-token';
import type { SlackDestination } from '../core/config/promotion-config';
import { syncSecrets } from '../core/secrets/sync-secrets';
import { providerCache } from '../providers/create-provider';
import type { SecretsSyncHandlerDeps } from '../secrets-sync/create-secrets-sync-handler';
import { readEnv } from '../shared/env';
import { TerminalError } from '../shared/errors';
import { logger } from '../shared/logger';
import { readShippedConfig, ShippedConfigEnvSchema } from './read-shipped-config';

/** The variables the secrets-sync function reads. */
export const SecretsSyncEnvSchema = z.object({
  HOIST_TABLE_NAME: z.string().check(z.minLength(1)),
  /** The secrets queue's dead-letter queue, where changes that no retry can help go at once. */
  HOIST_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The secrets queue's maxReceiveCount: the last failed attempt is dead-lettered with its reason. */
  HOIST_MAX_RECEIVE_COUNT: z._default(z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number)), 5),
  /** The Vault token's secret when the config names it as automation.secrets.vaultToken. */
  HOIST_VAULT_TOKEN_SECRET_NAME: z.optional(z.string().check(z.minLength(1))),
  /** hoist.config.json and its digest, shipped by the stack (see readShippedConfig). */
  ...ShippedConfigEnvSchema.shape,
});

/**
 * The secrets sync's object graph on AWS: config bundled with the function,
 * secret values from Secrets Manager (read per change, never cached), the
 * Vault token from Secrets Manager or a login with the function's own IAM
 * role, Git tokens and the Slack URL from Secrets Manager (cached five
 * minutes), sync state and audit in DynamoDB.
 */
export function wireLambdaSecretsSync(env: z.infer<typeof SecretsSyncEnvSchema> = readEnv(SecretsSyncEnvSchema)): SecretsSyncHandlerDeps {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const settings = config.secrets;
  if (settings === undefined) throw new TerminalError(`${env.HOIST_CONFIG_PATH}: the secrets-sync function needs a secrets: section`);
  const secretsManager = new SecretsManagerClient({});
  const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });
  const secret = async (name: string, forceFetch = false): Promise<string> => {
    const value = await secrets.get(name, { maxAge: 300, forceFetch });
    if (typeof value !== 'string') throw new Error(`secret ${name} is not a string secret`);
    return value;
  };
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
        const value = await secret(tokenSecretName, refetchToken);
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
    providerFor: providerCache(async (repository) => (repository.credentials.secretName ? secret(repository.credentials.secretName) : undefined)),
    audit,
    notifierFor: slackNotifiers<SlackDestination>((destination) => {
      const name = destination?.webhookSecretName ?? config.slack.webhookSecretName;
      return name === undefined ? undefined : () => secret(name);
    }),
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
    deadLetters: new SqsDeadLetterSink({ client: new SQSClient({}), queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL }),
    maxReceives: env.HOIST_MAX_RECEIVE_COUNT,
    log: logger,
  };
}
