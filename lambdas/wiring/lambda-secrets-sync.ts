import * as z from 'zod';
import { readEnv } from '../shared/env';

/** The variables the secrets-sync function reads. */
export const SecretsSyncEnvSchema = z.object({
  HOIST_TABLE_NAME: z.string().min(1),
  /** The secrets queue's dead-letter queue, where changes that no retry can help go at once. */
  HOIST_DEAD_LETTER_QUEUE_URL: z.url(),
  /** hoist.config.yaml is bundled next to the handler. */
  HOIST_CONFIG_PATH: z.string().default(`${process.env.LAMBDA_TASK_ROOT ?? '.'}/hoist.config.yaml`),
});

export function wireLambdaSecretsSync(env: z.infer<typeof SecretsSyncEnvSchema> = readEnv(SecretsSyncEnvSchema)): unknown {
  return env;
}
