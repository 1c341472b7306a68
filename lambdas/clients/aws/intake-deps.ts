import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { PositiveIntText } from '../../shared/env';
import { logger } from '../../shared/logger';
import type { EnqueueOnceDeps } from '../../core/intake/enqueue-once';
import { DynamoDbDeliveryLedger } from './dynamodb-delivery-ledger';
import { SqsEventQueue } from './sqs-event-queue';

/** The variables every intake function reads. */
export const IntakeEnvSchema = z.object({
  HOIST_EVENT_QUEUE_URL: z.url(),
  HOIST_TABLE_NAME: z.string().min(1),
  HOIST_DELIVERY_TTL_SECONDS: PositiveIntText.default(7 * 24 * 3600),
});

/** The delivery ledger, event queue and clock that both intake functions share. */
export function awsIntakeDeps(env: z.infer<typeof IntakeEnvSchema>): EnqueueOnceDeps & { readonly now: () => Date } {
  return {
    ledger: new DynamoDbDeliveryLedger({
      client: new DynamoDBClient({}),
      tableName: env.HOIST_TABLE_NAME,
      ttlSeconds: env.HOIST_DELIVERY_TTL_SECONDS,
    }),
    queue: new SqsEventQueue({ client: new SQSClient({}), queueUrl: env.HOIST_EVENT_QUEUE_URL }),
    log: logger,
    now: () => new Date(),
  };
}
