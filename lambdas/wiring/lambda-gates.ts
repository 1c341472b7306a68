import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import type { GatesHandlerDeps } from '../gates/create-gates-handler';
import { readEnv } from '../shared/env';
import { loadOnce } from '../shared/load-once';
import { logger } from '../shared/logger';
import { readShippedConfig, ShippedConfigEnvSchema } from './read-shipped-config';

/** The variables the gates function reads. */
export const GatesEnvSchema = z.object({
  HOIST_TABLE_NAME: z.string().check(z.minLength(1)),
  /** The FIFO event queue, where a passed gate queues the promotion of its environment. */
  HOIST_EVENT_QUEUE_URL: z.url(),
  /** The gates queue itself (standard), where a waiting check goes back with its delay. */
  HOIST_GATE_QUEUE_URL: z.url(),
  /** The gates queue's dead-letter queue, where checks that no retry can help go at once. */
  HOIST_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The gates queue's maxReceiveCount: the last failed attempt is dead-lettered with its reason. */
  HOIST_MAX_RECEIVE_COUNT: z._default(z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number)), 5),
  /** hoist.config.json and its digest, shipped by the stack (see readShippedConfig). */
  ...ShippedConfigEnvSchema.shape,
  /** Set by Lambda: the region of `argocd.eks`'s cluster unless the config names one. */
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

export type GatesEnv = z.infer<typeof GatesEnvSchema>;

/**
 * The gates function's object graph on AWS. At cold start: the config shipped
 * with the function (checked, not parsed again), the SQS client and the
 * dead-letter queue. The gate logic with its clients (Argo CD directly or
 * through EKS, Secrets Manager, DynamoDB, the event and gates queues, Slack;
 * see gates-engine.ts) is loaded with the first batch, once, and kept for the
 * next ones.
 */
export function wireLambdaGates(env: GatesEnv = readEnv(GatesEnvSchema)): GatesHandlerDeps {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const sqs = new SQSClient({});
  const engineOf = loadOnce(async () => (await import('./gates-engine')).gatesEngine({ env, config, sqs }));
  return {
    check: async (check) => (await engineOf()).check(check),
    deadLetters: new SqsDeadLetterSink({ client: sqs, queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL, fifo: false }),
    maxReceives: env.HOIST_MAX_RECEIVE_COUNT,
    log: logger,
  };
}
