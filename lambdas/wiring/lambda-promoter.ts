import { readFileSync } from 'node:fs';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { ArgoCdClient } from '../clients/argocd-client';
import { DynamoDbPromotionOutcomeStore } from '../clients/aws/dynamodb-promotion-outcomes';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { DynamoDbTagHistory } from '../clients/aws/dynamodb-tag-history';
import { EcrImageRegistry } from '../clients/aws/ecr-image-registry';
import { EcrPushTimes } from '../clients/aws/ecr-push-times';
import { SqsDeadLetterSink } from '../clients/aws/sqs-dead-letter-sink';
import { SqsGateScheduler } from '../clients/aws/sqs-gate-scheduler';
import { sqsRetryAfter } from '../clients/aws/sqs-retry-after';
import { commitCredentialsOf, GitHostCommitHistory } from '../clients/git-host-commit-history';
import { ImageRegistries } from '../clients/registry/image-registries';
import { OciImageRegistry } from '../clients/registry/oci-image-registry';
import { parseRegistryCredentials } from '../clients/registry/registry-credentials';
import { SlackApprovalMessages } from '../clients/slack-approval-messages';
import { slackNotifiers } from '../clients/slack-notifier';
import { SlackWebApi } from '../clients/slack-web-api';
import { parsePromotionConfig } from '../core/config/parse-promotion-config';
import type { SlackDestination } from '../core/config/promotion-config';
import { type PromoteDeps, promoteBatch } from '../core/promotion/promote-batch';
import type { PromoterHandlerDeps } from '../promoter/create-promoter-handler';
import { providerCache } from '../providers/create-provider';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { eksArgoCdClientOf } from './eks-argocd';

/** The variables the promoter function reads. */
export const PromoterEnvSchema = z.object({
  HOIST_TABLE_NAME: z.string().min(1),
  /** The event queue's dead-letter queue, where envelopes that no retry can help go at once. */
  HOIST_DEAD_LETTER_QUEUE_URL: z.url(),
  /** The event queue itself, to bring a waiting group back sooner than its visibility timeout. */
  HOIST_EVENT_QUEUE_URL: z.url(),
  /** The gates queue, where environments that follow another wait for their gate; without it no environment follows. */
  HOIST_GATE_QUEUE_URL: z.url().optional(),
  /** The ECR images whose push times the role may read (`DescribeImages`), comma-separated. */
  HOIST_ECR_REPOSITORIES: z
    .string()
    .default('')
    .transform((list) => list.split(',').filter((name) => name !== '')),
  /** hoist.config.yaml is bundled next to the handler. */
  HOIST_CONFIG_PATH: z.string().default(`${process.env.LAMBDA_TASK_ROOT ?? '.'}/hoist.config.yaml`),
  /** Set by Lambda: the region of `argocd.eks`'s cluster unless the config names one. */
  AWS_REGION: z.string().min(1).optional(),
});

/**
 * The promoter's object graph on AWS: config bundled with the function,
 * tokens and webhook URLs from Secrets Manager (cached five minutes, never
 * logged), state, audit and tag history in DynamoDB, push times from ECR,
 * Git ancestry of built commits from the hosts the `from` sources name,
 * the gates queue for environments that follow another, and the
 * dead-letter queue for what no retry can help.
 */
export function wireLambdaPromoter(env: z.infer<typeof PromoterEnvSchema> = readEnv(PromoterEnvSchema)): PromoterHandlerDeps {
  const config = parsePromotionConfig(readFileSync(env.HOIST_CONFIG_PATH, 'utf8'), env.HOIST_CONFIG_PATH);
  const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  const secret = async (name: string): Promise<string> => {
    const value = await secrets.get(name, { maxAge: 300 });
    if (typeof value !== 'string') throw new Error(`secret ${name} is not a string secret`);
    return value;
  };
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const argocdToken = config.argocd.tokenSecretName;
  const eks = config.argocd.eks;
  const deps: PromoteDeps = {
    config,
    providerFor: providerCache(async (repository) => (repository.credentials.secretName ? secret(repository.credentials.secretName) : undefined)),
    states: new DynamoDbTargetStateStore(dynamo, env.HOIST_TABLE_NAME),
    audit: new DynamoDbAuditLog(dynamo, env.HOIST_TABLE_NAME),
    tagHistory: new DynamoDbTagHistory(dynamo, env.HOIST_TABLE_NAME),
    outcomes: new DynamoDbPromotionOutcomeStore({ client: dynamo, tableName: env.HOIST_TABLE_NAME }),
    registry: new EcrPushTimes(undefined, env.HOIST_ECR_REPOSITORIES),
    commitHistory: new GitHostCommitHistory({
      token: async (source) => {
        const name = commitCredentialsOf(config, source)?.secretName;
        return name === undefined ? undefined : secret(name);
      },
    }),
    imageRegistry: new ImageRegistries({
      ecr: new EcrImageRegistry(undefined, env.HOIST_ECR_REPOSITORIES),
      oci: new OciImageRegistry({
        plainHttp: config.registry.plainHttp,
        credentials: async (host) => {
          const name = config.registry.credentials[host]?.secretName;
          return name === undefined ? undefined : parseRegistryCredentials(await secret(name), `secret ${name}`);
        },
      }),
    }),
    ...(env.HOIST_GATE_QUEUE_URL ? { gates: new SqsGateScheduler({ client: sqs, queueUrl: env.HOIST_GATE_QUEUE_URL }) } : {}),
    // Argo CD through its EKS cluster's Kubernetes API as the function's role, or its REST API with a token.
    ...(eks !== undefined
      ? { argocd: eksArgoCdClientOf({ ...config.argocd, eks }, { functionRegion: env.AWS_REGION }) }
      : config.argocd.url && argocdToken
        ? { argocd: new ArgoCdClient({ url: config.argocd.url, token: () => secret(argocdToken), refresh: config.argocd.refresh, sync: config.argocd.sync }) }
        : {}),
    // The Slack app posts approval requests and records decisions, when config has one.
    ...(config.slack.app?.botTokenSecretName
      ? {
          approvals: new SlackApprovalMessages(
            new SlackWebApi({ token: () => secret(config.slack.app?.botTokenSecretName as string) }),
            config.slack.app.channel,
          ),
        }
      : {}),
    notifierFor: slackNotifiers<SlackDestination>((destination) => {
      const name = destination?.webhookSecretName ?? config.slack.webhookSecretName;
      return name === undefined ? undefined : () => secret(name);
    }),
    log: logger,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return {
    promote: async (envelopes) => {
      const result = await promoteBatch(envelopes, deps);
      logger.info('batch promoted', {
        events: envelopes.length,
        changes: result.applied.length,
        noops: result.noops.length,
        failures: result.failures.length,
        attempts: result.attempts,
      });
      return result;
    },
    deadLetters: new SqsDeadLetterSink({ client: sqs, queueUrl: env.HOIST_DEAD_LETTER_QUEUE_URL }),
    retryAfter: sqsRetryAfter(sqs, env.HOIST_EVENT_QUEUE_URL),
    log: logger,
  };
}
