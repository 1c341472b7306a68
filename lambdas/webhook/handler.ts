import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DynamoDbDeliveryLedger } from '../clients/aws/dynamodb-delivery-ledger';
import { SecretsManagerWebhookSecrets } from '../clients/aws/secrets-manager-webhook-secrets';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import { DEFAULT_MAX_BODY_BYTES } from '../core/intake/receive-webhook';
import { PositiveIntText, readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createWebhookHandler } from './create-webhook-handler';

/** Secret ids (names or ARNs), never secret values, come through the environment. */
const env = readEnv(
  z.object({
    HOIST_EVENT_QUEUE_URL: z.url(),
    HOIST_TABLE_NAME: z.string().min(1),
    HOIST_WEBHOOK_SECRET_ID_GITHUB: z.string().min(1).optional(),
    HOIST_WEBHOOK_SECRET_ID_GITLAB: z.string().min(1).optional(),
    HOIST_WEBHOOK_SECRET_ID_GITEA: z.string().min(1).optional(),
    HOIST_MAX_BODY_BYTES: PositiveIntText.default(DEFAULT_MAX_BODY_BYTES),
    HOIST_DELIVERY_TTL_SECONDS: PositiveIntText.default(7 * 24 * 3600),
  }),
);

export const handler = createWebhookHandler({
  secrets: new SecretsManagerWebhookSecrets({
    client: new SecretsManagerClient({}),
    secretIds: {
      github: env.HOIST_WEBHOOK_SECRET_ID_GITHUB,
      gitlab: env.HOIST_WEBHOOK_SECRET_ID_GITLAB,
      gitea: env.HOIST_WEBHOOK_SECRET_ID_GITEA,
    },
  }),
  ledger: new DynamoDbDeliveryLedger({
    client: new DynamoDBClient({}),
    tableName: env.HOIST_TABLE_NAME,
    ttlSeconds: env.HOIST_DELIVERY_TTL_SECONDS,
  }),
  queue: new SqsEventQueue({ client: new SQSClient({}), queueUrl: env.HOIST_EVENT_QUEUE_URL }),
  log: logger,
  now: () => new Date(),
  maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
});
