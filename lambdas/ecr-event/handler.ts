import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DynamoDbDeliveryLedger } from '../clients/aws/dynamodb-delivery-ledger';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import { PositiveIntText, readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createEcrEventHandler } from './create-ecr-event-handler';

const env = readEnv(
  z.object({
    HOIST_EVENT_QUEUE_URL: z.url(),
    HOIST_TABLE_NAME: z.string().min(1),
    HOIST_DELIVERY_TTL_SECONDS: PositiveIntText.default(7 * 24 * 3600),
  }),
);

export const handler = createEcrEventHandler({
  ledger: new DynamoDbDeliveryLedger({
    client: new DynamoDBClient({}),
    tableName: env.HOIST_TABLE_NAME,
    ttlSeconds: env.HOIST_DELIVERY_TTL_SECONDS,
  }),
  queue: new SqsEventQueue({ client: new SQSClient({}), queueUrl: env.HOIST_EVENT_QUEUE_URL }),
  log: logger,
  now: () => new Date(),
});
