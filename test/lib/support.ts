import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { parsePromotionConfig } from '../../lambdas/core/config/parse-promotion-config';
import { buildHoistApp, type HoistApp } from '../../lib/build-app';
import { parseHoistConfig } from '../../lib/config/hoist-config';

/** The app as `cdk synth` builds it from the repository's own hoist.config.yaml (or `text`). */
export function synthApp(text = readFileSync('hoist.config.yaml', 'utf8')): HoistApp {
  return buildHoistApp(
    new App(),
    parseHoistConfig(text),
    resolve('hoist.config.yaml'),
    { account: '123456789012', region: 'eu-west-1' },
    parsePromotionConfig(text),
  );
}

/** Every unsuppressed cdk-nag (AwsSolutions) error on a stack, as `path: message`. */
export function nagErrors(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`);
}

/**
 * The repository's hoist.config.yaml with a `secrets:` section: a token-auth
 * Vault, the default name pattern (prefix `hoist/apps/`), one entry outside
 * it and one inside, its own Slack webhook, a customer-managed key, and a
 * Vault token under automation.secrets.
 */
export const WITH_SECRETS = `${readFileSync('hoist.config.yaml', 'utf8')
  .replace(
    '  # alarmEmail: platform-team@example.com',
    '  secretsSync: { kmsKeyArns: [arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666] }',
  )
  .replace('    slackWebhookUrl: hoist/slack/webhook-url', '    slackWebhookUrl: hoist/slack/webhook-url\n    vaultToken: hoist/vault/admin-token')}
secrets:
  vault:
    url: https://vault.example.com
    auth: { method: token, tokenSecretName: hoist/vault/token }
  mapping:
    entries:
      - { secret: legacy/db-password, service: legacy, environment: prod }
      - { secret: hoist/apps/web/extra, service: web, environment: dev }
  manifests: { repository: gitops }
  slack: { webhookSecretName: hoist/slack/secrets }
`;

/**
 * The repository's hoist.config.yaml with a Slack app of approvals: its
 * signing secret and bot token by name, the channel, a user and a group.
 */
export const WITH_SLACK_APP = readFileSync('hoist.config.yaml', 'utf8').replace(
  'slack:\n  webhookSecretName: hoist/slack/webhook-url\n',
  'slack:\n  webhookSecretName: hoist/slack/webhook-url\n  app:\n    signingSecretName: hoist/slack/signing-secret\n    botTokenSecretName: hoist/slack/bot-token\n    channel: C0RELEASES\n    approvers: { users: [U0ALICE01], userGroups: [S0RELEASE] }\n',
);
