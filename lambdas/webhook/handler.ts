import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { SecretsManagerWebhookSecrets } from '../clients/aws/secrets-manager-webhook-secrets';
import { DEFAULT_MAX_BODY_BYTES } from '../core/intake/receive-webhook';
import { PositiveIntText, readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';
import { createWebhookHandler } from './create-webhook-handler';

/** Secret ids (names or ARNs), never secret values, come through the environment. */
const env = readEnv(
  z.extend(IntakeEnvSchema, {
    HOIST_WEBHOOK_SECRET_ID_GITHUB: z.optional(z.string().check(z.minLength(1))),
    HOIST_WEBHOOK_SECRET_ID_GITLAB: z.optional(z.string().check(z.minLength(1))),
    HOIST_WEBHOOK_SECRET_ID_GITEA: z.optional(z.string().check(z.minLength(1))),
    HOIST_MAX_BODY_BYTES: z._default(PositiveIntText, DEFAULT_MAX_BODY_BYTES),
  }),
);

const intake = awsIntakeDeps(env);

export const handler = afterRouting(
  intake,
  createWebhookHandler({
    ...intake,
    secrets: new SecretsManagerWebhookSecrets({
      client: new SecretsManagerClient({}),
      secretIds: {
        github: env.HOIST_WEBHOOK_SECRET_ID_GITHUB,
        gitlab: env.HOIST_WEBHOOK_SECRET_ID_GITLAB,
        gitea: env.HOIST_WEBHOOK_SECRET_ID_GITEA,
      },
    }),
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
  }),
);
