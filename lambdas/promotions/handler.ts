import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readEnv } from '../shared/env';
import { afterRouting, awsIntakeDeps, PromotionsEnvSchema } from '../wiring/lambda-intake';

const env = readEnv(PromotionsEnvSchema);

const intake = awsIntakeDeps(env);
const secretsManager = new SecretsManagerClient({});
const dynamo = new DynamoDBClient({});

/* The handler, the secret and the outcome store parse with zod's classic schemas: they load with the first request. */
export const handler = afterRouting(intake, async () => {
  const [{ createPromotionsHandler }, { SecretsManagerPromotionSecret }, { DynamoDbPromotionOutcomeStore }] = await Promise.all([
    import('./create-promotions-handler'),
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
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
    newId: randomUUID,
  });
});
