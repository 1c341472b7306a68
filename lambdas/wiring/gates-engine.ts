import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ArgoCdClient } from '../clients/argocd-client';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { secretsManagerStrings } from '../clients/aws/secrets-manager-strings';
import { SqsEventQueue } from '../clients/aws/sqs-event-queue';
import { SqsGateScheduler } from '../clients/aws/sqs-gate-scheduler';
import type { PromotionConfig } from '../core/config/promotion-config';
import type { GateCheck, GateDecision } from '../core/promotion/gate-check';
import { type GateDeps, runGateCheck } from '../core/promotion/run-gate';
import { logger } from '../shared/logger';
import { eksArgoCdClientOf } from './eks-argocd';
import type { GatesEnv } from './lambda-gates';
import { providersFromSecrets, slackNotifiersFromSecrets } from './secrets-manager-clients';

/** What the gates function loads with its first batch: the gate logic and every client it may call. */
export interface GatesEngine {
  check(check: GateCheck): Promise<GateDecision>;
}

/** What the gates function read and built at cold start, shared with the engine. */
export interface GatesEngineInput {
  readonly env: GatesEnv;
  readonly config: PromotionConfig;
  readonly sqs: SQSClient;
}

/**
 * How long one Argo CD call may take. A batch of ten checks must end well
 * within the function's 30 s: a timeout that cuts the batch short would
 * bring back checks that were already acted on.
 */
const ARGOCD_TIMEOUT_MS = 5000;

/**
 * The gates engine on AWS: Argo CD through its EKS cluster as the function's
 * role (with `argocd.eks`) or the Argo CD token and Slack webhook URLs from
 * Secrets Manager (cached five minutes, never logged), audit records in
 * DynamoDB, passed gates to the event queue, waiting checks back to the gates
 * queue. Imported by wireLambdaGates with the first batch, so that none of it
 * weighs on the cold start.
 */
export function gatesEngine({ env, config, sqs }: GatesEngineInput): GatesEngine {
  const secret = secretsManagerStrings();
  const argocdToken = config.argocd.tokenSecretName;
  const eks = config.argocd.eks;
  const dynamo = new DynamoDBClient({});
  const gate: GateDeps = {
    config,
    states: new DynamoDbTargetStateStore(dynamo, env.HOIST_TABLE_NAME),
    providerFor: providersFromSecrets(secret),
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
    notifierFor: slackNotifiersFromSecrets(config, secret),
    log: logger,
    now: () => new Date(),
  };
  return { check: (check) => runGateCheck(check, gate) };
}
