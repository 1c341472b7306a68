import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import type { SecretsSyncHandlerDeps } from '../secrets-sync/create-secrets-sync-handler';
import { readEnv } from '../shared/env';
import { TerminalError } from '../shared/errors';
import { loadOnce } from '../shared/load-once';
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

export type SecretsSyncEnv = z.infer<typeof SecretsSyncEnvSchema>;

/**
 * The secrets sync's object graph on AWS. At cold start: the config shipped
 * with the function (checked, not parsed again; without a secrets: section
 * the function fails here), the dead-letter queue. The sync with its clients
 * (Secrets Manager, Vault, DynamoDB, the Git hosts, Slack; see
 * secrets-sync-engine.ts) is loaded with the first batch, once, and kept for
 * the next ones.
 */
export function wireLambdaSecretsSync(env: SecretsSyncEnv = readEnv(SecretsSyncEnvSchema)): SecretsSyncHandlerDeps {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const settings = config.secrets;
  if (settings === undefined) throw new TerminalError(`${env.HOIST_CONFIG_PATH}: the secrets-sync function needs a secrets: section`);
  const engineOf = loadOnce(async () => (await import('./secrets-sync-engine')).secretsSyncEngine({ env, config, settings }));
  return {
    sync: async (changes) => (await engineOf()).sync(changes),
    deadLetters: new SqsDeadLetterSink({ client: new SQSClient({}), queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL }),
    maxReceives: env.HOIST_MAX_RECEIVE_COUNT,
    log: logger,
  };
}
