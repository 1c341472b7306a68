import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { DynamoDbPromotionOutcomeStore } from '../clients/aws/dynamodb-promotion-outcomes';
import { SecretsManagerPromotionSecret } from '../clients/aws/secrets-manager-promotion-secret';
import { DEFAULT_MAX_BODY_BYTES } from '../core/intake/receive-webhook';
import { PositiveIntText, readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, IntakeEnvSchema } from '../wiring/lambda-intake';
import { createPromotionsHandler } from './create-promotions-handler';

/** The secret's id (name or ARN), never its value, comes through the environment. */
const env = readEnv(
  z.extend(IntakeEnvSchema, {
    HOIST_PROMOTION_SECRET_ID: z.string().check(z.minLength(1)),
    HOIST_MAX_BODY_BYTES: z._default(PositiveIntText, DEFAULT_MAX_BODY_BYTES),
    HOIST_PROMOTION_OUTCOME_TTL_SECONDS: z._default(PositiveIntText, 7 * 24 * 3600),
  }),
);

const intake = awsIntakeDeps(env);

export const handler = afterRouting(
  intake,
  createPromotionsHandler({
    ...intake,
    secrets: new SecretsManagerPromotionSecret({ client: new SecretsManagerClient({}), secretId: env.HOIST_PROMOTION_SECRET_ID }),
    outcomes: new DynamoDbPromotionOutcomeStore({
      client: new DynamoDBClient({}),
      tableName: env.HOIST_TABLE_NAME,
      ttlSeconds: env.HOIST_PROMOTION_OUTCOME_TTL_SECONDS,
    }),
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
    newId: randomUUID,
  }),
);
