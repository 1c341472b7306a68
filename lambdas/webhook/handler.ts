import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { PositiveIntText, readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';

/** Secret ids (names or ARNs), never secret values, come through the environment. */
const env = readEnv(
  z.extend(IntakeEnvSchema, {
    HOIST_WEBHOOK_SECRET_ID_GITHUB: z.optional(z.string().check(z.minLength(1))),
    HOIST_WEBHOOK_SECRET_ID_GITLAB: z.optional(z.string().check(z.minLength(1))),
    HOIST_WEBHOOK_SECRET_ID_GITEA: z.optional(z.string().check(z.minLength(1))),
    /** @default DEFAULT_MAX_BODY_BYTES, read with the intake core at the first delivery */
    HOIST_MAX_BODY_BYTES: z.optional(PositiveIntText),
  }),
);

const intake = awsIntakeDeps(env);
const secretsManager = new SecretsManagerClient({});

/* The handler and the secrets store parse with zod's classic schemas (deliveries, the secret's document): both load with the first delivery. */
export const handler = afterRouting(intake, async () => {
  const [{ createWebhookHandler }, { DEFAULT_MAX_BODY_BYTES }, { SecretsManagerWebhookSecrets }] = await Promise.all([
    import('./create-webhook-handler'),
    import('../core/intake/receive-webhook'),
    import('../clients/aws/secrets-manager-webhook-secrets'),
  ]);
  return createWebhookHandler({
    ...intake,
    secrets: new SecretsManagerWebhookSecrets({
      client: secretsManager,
      secretIds: {
        github: env.HOIST_WEBHOOK_SECRET_ID_GITHUB,
        gitlab: env.HOIST_WEBHOOK_SECRET_ID_GITLAB,
        gitea: env.HOIST_WEBHOOK_SECRET_ID_GITEA,
      },
    }),
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES,
  });
});
