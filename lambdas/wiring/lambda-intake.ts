import { existsSync, readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { DynamoDbDeliveryLedger } from '../clients/aws/dynamodb-delivery-ledger';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import { parsePromotionConfig } from '../core/config/parse-promotion-config';
import type { EnqueueOnceDeps } from '../core/intake/enqueue-once';
import { workOf } from '../core/promotion/triggers';
import { PositiveIntText } from '../shared/env';
import { logger } from '../shared/logger';

/** The variables every intake function reads. */
export const IntakeEnvSchema = z.object({
  HOIST_EVENT_QUEUE_URL: z.url(),
  HOIST_TABLE_NAME: z.string().min(1),
  HOIST_DELIVERY_TTL_SECONDS: PositiveIntText.default(7 * 24 * 3600),
  /** hoist.config.yaml, bundled next to the handler; its targets route events to GitOps branches. */
  HOIST_CONFIG_PATH: z.string().default(`${process.env.LAMBDA_TASK_ROOT ?? '.'}/hoist.config.yaml`),
});

/** The delivery ledger, event queue and clock that the intake functions and the ECR reconcile share. */
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
    ...routing(env.HOIST_CONFIG_PATH),
  };
}

/** Routing by the promotion config when it is bundled; without it events are ordered by source. */
function routing(configPath: string): Pick<EnqueueOnceDeps, 'workOf'> {
  if (!existsSync(configPath)) {
    logger.warn('no promotion config bundled; events are queued by source, not by GitOps branch', { configPath });
    return {};
  }
  const config = parsePromotionConfig(readFileSync(configPath, 'utf8'), configPath);
  return { workOf: (event) => workOf(config, event) };
}
