import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { PositiveIntText, readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';

/** The secret's id (name or ARN), never its value, comes through the environment. */
const env = readEnv(
  z.extend(IntakeEnvSchema, {
    HOIST_PROMOTION_SECRET_ID: z.string().check(z.minLength(1)),
    /** @default DEFAULT_MAX_BODY_BYTES, read with the intake core at the first request */
    HOIST_MAX_BODY_BYTES: z.optional(PositiveIntText),
    HOIST_PROMOTION_OUTCOME_TTL_SECONDS: z._default(PositiveIntText, 7 * 24 * 3600),
  }),
);

const intake = awsIntakeDeps(env);
const secretsManager = new SecretsManagerClient({});
const dynamo = new DynamoDBClient({});

/* The handler, the secret and the outcome store parse with zod's classic schemas: they load with the first request. */
export const handler = afterRouting(intake, async () => {
  const [{ createPromotionsHandler }, { DEFAULT_MAX_BODY_BYTES }, { SecretsManagerPromotionSecret }, { DynamoDbPromotionOutcomeStore }] = await Promise.all([
    import('./create-promotions-handler'),
    import('../core/intake/receive-webhook'),
    import('../clients/aws/secrets-manager-promotion-secret'),
    import('../clients/aws/dynamodb-promotion-outcomes'),
  ]);
  return createPromotionsHandler({
    ...intake,
    secrets: new SecretsManagerPromotionSecret({ client: secretsManager, secretId: env.HOIST_PROMOTION_SECRET_ID }),
    outcomes: new DynamoDbPromotionOutcomeStore({
      client: dynamo,
      tableName: env.HOIST_TABLE_NAME,
      ttlSeconds: env.HOIST_PROMOTION_OUTCOME_TTL_SECONDS,
    }),
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES,
    newId: randomUUID,
  });
});
