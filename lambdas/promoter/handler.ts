import { readFileSync } from 'node:fs';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { ArgoCdClient } from '../clients/argocd-client';
import { DynamoDbAuditLog, DynamoDbTargetStateStore } from '../clients/aws/dynamodb-promotion-stores';
import { slackNotifiers } from '../clients/slack-notifier';
import { parsePromotionConfig } from '../core/config/parse-promotion-config';
import type { SlackDestination } from '../core/config/promotion-config';
import { promoteBatch } from '../core/promotion/promote-batch';
import { providerCache } from '../providers/create-provider';
import { readEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { createPromoterHandler } from './create-promoter-handler';

const env = readEnv(
  z.object({
    HOIST_TABLE_NAME: z.string().min(1),
    /** hoist.config.yaml is bundled next to the handler. */
    HOIST_CONFIG_PATH: z.string().default(`${process.env.LAMBDA_TASK_ROOT ?? '.'}/hoist.config.yaml`),
  }),
);
const config = parsePromotionConfig(readFileSync(env.HOIST_CONFIG_PATH, 'utf8'), env.HOIST_CONFIG_PATH);
const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
/** Secret values are cached for five minutes and never logged. */
const secret = async (name: string): Promise<string> => {
  const value = await secrets.get(name, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error(`secret ${name} is not a string secret`);
  return value;
};
const dynamo = new DynamoDBClient({});
const providerFor = providerCache(async (repository) => (repository.credentials.secretName ? secret(repository.credentials.secretName) : undefined));
const argocdToken = config.argocd.tokenSecretName;
const notifierFor = slackNotifiers<SlackDestination>((destination) => {
  const name = destination?.webhookSecretName ?? config.slack.webhookSecretName;
  return name === undefined ? undefined : () => secret(name);
});

export const handler = createPromoterHandler(async (envelopes) => {
  const result = await promoteBatch(envelopes, {
    config,
    providerFor,
    states: new DynamoDbTargetStateStore(dynamo, env.HOIST_TABLE_NAME),
    audit: new DynamoDbAuditLog(dynamo, env.HOIST_TABLE_NAME),
    ...(config.argocd.url && argocdToken
      ? { argocd: new ArgoCdClient({ url: config.argocd.url, token: () => secret(argocdToken), refresh: config.argocd.refresh, sync: config.argocd.sync }) }
      : {}),
    notifierFor,
    log: logger,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  logger.info('batch promoted', { events: envelopes.length, changes: result.applied.length, noops: result.noops.length, attempts: result.attempts });
});
