import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import { sqsRetryAfter } from '../clients/aws/sqs-retry-after';
import type { PromoterHandlerDeps } from '../promoter/create-promoter-handler';
import { readEnv } from '../shared/env';
import { loadOnce } from '../shared/load-once';
import { logger } from '../shared/logger';
import { readShippedConfig, ShippedConfigEnvSchema } from './read-shipped-config';

/** The variables the promoter function reads. */
export const PromoterEnvSchema = z.object({
  HOIST_TABLE_NAME: z.string().check(z.minLength(1)),
  /** The event queue's dead-letter queue, where envelopes that no retry can help go at once. */
  HOIST_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The event queue itself, to bring a waiting group back sooner than its visibility timeout. */
  HOIST_EVENT_QUEUE_URL: z.url(),
  /** The gates queue, where environments that follow another wait for their gate; without it no environment follows. */
  HOIST_GATE_QUEUE_URL: z.optional(z.url()),
  /** The ECR images whose push times the role may read (`DescribeImages`), comma-separated. */
  HOIST_ECR_REPOSITORIES: z.pipe(
    z._default(z.string(), ''),
    z.transform((list: string) => list.split(',').filter((name) => name !== '')),
  ),
  /** hoist.config.json and its digest, shipped by the stack (see readShippedConfig). */
  ...ShippedConfigEnvSchema.shape,
  /** Set by Lambda: the region of `argocd.eks`'s cluster unless the config names one. */
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

export type PromoterEnv = z.infer<typeof PromoterEnvSchema>;

/**
 * The promoter's object graph on AWS. At cold start: the config shipped with
 * the function (checked, not parsed again), the SQS client, the dead-letter
 * queue and the retry delays. The promotion engine (YAML bump engine, Git
 * host SDKs and providers, DynamoDB, Secrets Manager, ECR, EKS, Argo CD and
 * Slack clients; see promoter-engine.ts) is loaded with the first batch, once,
 * and kept for the next ones.
 */
export function wireLambdaPromoter(env: PromoterEnv = readEnv(PromoterEnvSchema)): PromoterHandlerDeps {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const sqs = new SQSClient({});
  const engineOf = loadOnce(async () => (await import('./promoter-engine')).promoterEngine({ env, config, sqs }));
  return {
    promote: async (envelopes) => (await engineOf()).promote(envelopes),
    deadLetters: new SqsDeadLetterSink({ client: sqs, queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL }),
    retryAfter: sqsRetryAfter(sqs, env.HOIST_EVENT_QUEUE_URL),
    log: logger,
  };
}
