import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ArgoCdClient } from '../clients/argocd-client';
import { DynamoDbPromotionOutcomeStore } from '../clients/aws/dynamodb-promotion-outcomes';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { DynamoDbTagHistory } from '../clients/aws/dynamodb-tag-history';
import { EcrImageRegistry } from '../clients/aws/ecr-image-registry';
import { EcrPushTimes } from '../clients/aws/ecr-push-times';
import { secretsManagerStrings } from '../clients/aws/secrets-manager-strings';
import { SqsGateScheduler } from '../clients/aws/sqs-gate-scheduler';
import { commitCredentialsOf, GitHostCommitHistory } from '../clients/git-host-commit-history';
import { ImageRegistries } from '../clients/registry/image-registries';
import { OciImageRegistry } from '../clients/registry/oci-image-registry';
import { parseRegistryCredentials } from '../clients/registry/registry-credentials';
import { SlackApprovalMessages } from '../clients/slack-approval-messages';
import { SlackWebApi } from '../clients/slack-web-api';
import type { PromotionConfig } from '../core/config/promotion-config';
import type { EventEnvelope } from '../core/events';
import { type PromoteDeps, promoteBatch } from '../core/promotion/promote-batch';
import type { GroupOutcome } from '../promoter/create-promoter-handler';
import { logger } from '../shared/logger';
import { eksArgoCdClientOf } from './eks-argocd';
import type { PromoterEnv } from './lambda-promoter';
import { providersFromSecrets, slackNotifiersFromSecrets } from './secrets-manager-clients';

/** What the promoter loads with its first batch: the promotion engine and every client it may call. */
export interface PromoterEngine {
  promote(envelopes: readonly EventEnvelope[]): Promise<GroupOutcome>;
}

/** What the promoter read and built at cold start, shared with the engine. */
export interface PromoterEngineInput {
  readonly env: PromoterEnv;
  readonly config: PromotionConfig;
  readonly sqs: SQSClient;
}

/**
 * The promoter's engine on AWS: tokens and webhook URLs from Secrets Manager
 * (cached five minutes, never logged), state, audit and tag history in
 * DynamoDB, push times from ECR, Git ancestry of built commits from the hosts
 * the `from` sources name, the gates queue for environments that follow
 * another. Imported by wireLambdaPromoter with the first batch, so that none
 * of it weighs on the cold start.
 */
export function promoterEngine({ env, config, sqs }: PromoterEngineInput): PromoterEngine {
  const secret = secretsManagerStrings();
  const dynamo = new DynamoDBClient({});
  const argocdToken = config.argocd.tokenSecretName;
  const eks = config.argocd.eks;
  const deps: PromoteDeps = {
    config,
    providerFor: providersFromSecrets(secret),
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
    notifierFor: slackNotifiersFromSecrets(config, secret),
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
  };
}
