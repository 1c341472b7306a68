import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, WebhookEnvSchema } from '../wiring/lambda-intake';

const env = readEnv(WebhookEnvSchema);

const intake = awsIntakeDeps(env);
const secretsManager = new SecretsManagerClient({});

/* The handler and the secrets store parse with zod's classic schemas (deliveries, the secret's document): both load with the first delivery. */
export const handler = afterRouting(intake, async () => {
  const [{ createWebhookHandler }, { SecretsManagerWebhookSecrets }] = await Promise.all([
    import('./create-webhook-handler'),
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
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
  });
});
