import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { ArgoCdClient } from '../clients/argocd-client';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import { SqsGateScheduler } from '../clients/aws/sqs-gate-scheduler';
import { slackNotifiers } from '../clients/slack-notifier';
import type { SlackDestination } from '../core/config/promotion-config';
import type { GateDeps } from '../core/promotion/run-gate';
import type { GatesHandlerDeps } from '../gates/create-gates-handler';
import { providerCache } from '../providers/create-provider';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { eksArgoCdClientOf } from './eks-argocd';
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

/**
 * How long one Argo CD call may take. A batch of ten checks must end well
 * within the function's 30 s: a timeout that cuts the batch short would
 * bring back checks that were already acted on.
 */
const ARGOCD_TIMEOUT_MS = 5000;

/**
 * The gates function's object graph on AWS: config bundled with the
 * function, Argo CD through its EKS cluster as the function's role (with
 * `argocd.eks`) or the Argo CD token and Slack webhook URLs from Secrets Manager
 * (cached five minutes, never logged), audit records in DynamoDB, passed
 * gates to the event queue, waiting checks back to the gates queue.
 */
export function wireLambdaGates(env: z.infer<typeof GatesEnvSchema> = readEnv(GatesEnvSchema)): GatesHandlerDeps {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  const secret = async (name: string): Promise<string> => {
    const value = await secrets.get(name, { maxAge: 300 });
    if (typeof value !== 'string') throw new Error(`secret ${name} is not a string secret`);
    return value;
  };
  const sqs = new SQSClient({});
  const argocdToken = config.argocd.tokenSecretName;
  const eks = config.argocd.eks;
  const dynamo = new DynamoDBClient({});
  const gate: GateDeps = {
    config,
    states: new DynamoDbTargetStateStore(dynamo, env.HOIST_TABLE_NAME),
    providerFor: providerCache(async (repository) => (repository.credentials.secretName ? secret(repository.credentials.secretName) : undefined)),
    // Argo CD through its EKS cluster's Kubernetes API as the function's role, or its REST API with a token.
    ...(eks !== undefined
      ? { argocd: eksArgoCdClientOf({ ...config.argocd, eks }, { functionRegion: env.AWS_REGION, timeoutMs: ARGOCD_TIMEOUT_MS }) }
      : config.argocd.url && argocdToken
        ? {
            argocd: new ArgoCdClient({
              url: config.argocd.url,
              token: () => secret(argocdToken),
              fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(ARGOCD_TIMEOUT_MS) }),
            }),
          }
        : {}),
    queue: new SqsEventQueue({ client: sqs, queueUrl: env.HOIST_EVENT_QUEUE_URL }),
    gates: new SqsGateScheduler({ client: sqs, queueUrl: env.HOIST_GATE_QUEUE_URL }),
    audit: new DynamoDbAuditLog(dynamo, env.HOIST_TABLE_NAME),
    notifierFor: slackNotifiers<SlackDestination>((destination) => {
      const name = destination?.webhookSecretName ?? config.slack.webhookSecretName;
      return name === undefined ? undefined : () => secret(name);
    }),
    log: logger,
    now: () => new Date(),
  };
  return {
    gate,
    deadLetters: new SqsDeadLetterSink({ client: sqs, queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL, fifo: false }),
    maxReceives: env.HOIST_MAX_RECEIVE_COUNT,
    log: logger,
  };
}
