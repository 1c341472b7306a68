import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { SecretsManagerSecretSource } from '../clients/aws/secrets-manager-secret-source';
import { SqsSecretChangeQueue } from '../clients/aws/sqs-secret-change-queue';
import type { ReceiveSecretEventDeps } from '../core/intake/receive-secret-event';
import type { ReconcileSecretsDeps, ReconcileSecretsInput } from '../core/secrets/reconcile-secrets';

/** A comma-separated list; empty entries dropped. */
const ListText = z.pipe(
  z._default(z.string(), ''),
  z.transform((text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
);

/** The variables of the secret-event and secrets-reconcile functions. */
export const SecretIntakeEnvSchema = z
  .object({
    /** The secrets FIFO queue, consumed by the secrets-sync function. */
    HOIST_SECRET_QUEUE_URL: z.url(),
    /** Comma-separated secret name prefixes (from `secrets.mapping.namePattern` or `automation.secretsSync.namePrefixes`). */
    HOIST_SECRET_PREFIXES: ListText,
    /** Comma-separated exact secret names (`secrets.mapping.entries[].secret`). */
    HOIST_SECRET_NAMES: ListText,
  })
  .check(
    z.refine((env) => env.HOIST_SECRET_PREFIXES.length + env.HOIST_SECRET_NAMES.length > 0, {
      message: 'name at least one secret prefix or name',
      path: ['HOIST_SECRET_PREFIXES'],
    }),
  );
export type SecretIntakeEnv = z.infer<typeof SecretIntakeEnvSchema>;

/** The secret-event function's queue and scope. */
export function awsSecretIntakeDeps(env: SecretIntakeEnv): ReceiveSecretEventDeps {
  return {
    queue: new SqsSecretChangeQueue({ client: new SQSClient({}), queueUrl: env.HOIST_SECRET_QUEUE_URL }),
    scope: { prefixes: env.HOIST_SECRET_PREFIXES, names: env.HOIST_SECRET_NAMES },
  };
}

/** The secrets-reconcile function's object graph: the same queue and scope, Secrets Manager's listing, the clock. */
export function awsSecretsReconcileDeps(env: SecretIntakeEnv): { readonly input: ReconcileSecretsInput; readonly deps: ReconcileSecretsDeps } {
  const { queue, scope } = awsSecretIntakeDeps(env);
  return {
    input: { scope, source: new SecretsManagerSecretSource({ client: new SecretsManagerClient({}) }) },
    deps: { queue, now: () => new Date() },
  };
}
