import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import * as z from 'zod';
import { localSecretVariable } from '../lambdas/clients/local/env-webhook-secrets';
import type { GitHost } from '../lambdas/core/events';
import { parseWebhookSecretText, selectWebhookSecrets } from '../lambdas/core/webhook-secrets';
import { HoistError } from '../lambdas/shared/errors';
import type { DevServer } from './dev-server';
import { readDevSettings } from './dev-settings';
import { startLocalDevServer } from './dev-wiring';

/** Used only when no secret is set, so that `npm start` works out of the box on loopback. */
const DEV_SECRET = 'hoist-dev-secret';
const HOSTS: readonly GitHost[] = ['github', 'gitlab', 'gitea'];
const EXAMPLE_PUSH = 'dev/examples/github-push.json';
/** The part of a GitHub payload that picks a per-repository secret. */
const RepositoryOfPayloadSchema = z.object({ repository: z.object({ full_name: z.string() }).optional() });

try {
  const server = await start();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  process.stderr.write(`Hoist dev server did not start: ${describeStartFailure(error)}\n`, () => process.exit(1));
}

async function start(): Promise<DevServer> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env: Record<string, string | undefined> = { ...process.env };
  const defaulted = HOSTS.filter((host) => !env[localSecretVariable(host)]);
  for (const host of defaulted) env[localSecretVariable(host)] = DEV_SECRET;
  const settings = readDevSettings(env);

  // Without HOIST_CONFIG the dev server promotes into its own embedded GitOps repository.
  const server = await startLocalDevServer(settings, env);
  const { configPath, embedded } = server;
  const examplePush = readFileSync(EXAMPLE_PUSH, 'utf8');
  const secret = exampleSigningSecret(env[localSecretVariable('github')] ?? DEV_SECRET, examplePush);

  process.stdout.write(
    [
      `Hoist dev server on ${server.url}`,
      ...HOSTS.map((host) => `  POST ${server.url}/webhooks/${host}`),
      `  POST ${server.url}/events/ecr   (an EventBridge "ECR Image Action" event as JSON)`,
      `  POST ${server.url}/promotions   (a CI promotion request, signed with X-Hoist-Signature-256)`,
      `  GET  ${server.url}/promotions/{id}`,
      `  POST ${server.url}/reconcile    (the ECR reconcile; the dev server lists no registry)`,
      ...(server.secrets
        ? [
            `  POST ${server.url}/events/secrets      (a Secrets Manager change: {"secret": "<name>"})`,
            `  POST ${server.url}/reconcile/secrets   (the scheduled secrets reconcile)`,
          ]
        : []),
      ...(server.slackActions?.on ? [`  POST ${server.url}/slack/actions   (Slack approval clicks, signed by the app's signing secret)`] : []),
      `  GET  ${server.url}/healthz`,
      defaulted.length > 0
        ? `Webhook secret for ${defaulted.join(', ')}: '${DEV_SECRET}' (set HOIST_WEBHOOK_SECRET_<HOST> or .env to change)`
        : 'Webhook secrets read from the environment.',
      `Promotion config: ${configPath}`,
      ...(server.slackActions?.off ? [`Slack actions: off (${server.slackActions.off})`] : []),
      `State (delivery ids, target states, audit.jsonl): ${server.stateDir}`,
      ...(server.secrets
        ? [
            `Secrets: values from ${server.secrets.secretsFile} (stands in for Secrets Manager)`,
            server.secrets.vault.embedded
              ? `Vault: embedded KV v2 at ${server.secrets.vault.url}, dev server only, in memory (token: ${server.secrets.vault.token}); set HOIST_VAULT_ADDR for a real one`
              : `Vault: ${server.secrets.vault.url}`,
          ]
        : []),
      ...(embedded
        ? [`Embedded GitOps repository: ${embedded.bareRepo}${embedded.created ? ' (created now, seeded with gitops-templates/example-app)' : ''}`]
        : []),
      '',
      'Try it:',
      ...(secret === undefined
        ? [`  (no GitHub webhook secret accepts ${EXAMPLE_PUSH}'s repository, so no signed example)`]
        : [
            `  curl -sS ${server.url}/webhooks/github -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \\`,
            `    -H 'X-GitHub-Delivery: ${randomUUID()}' -H 'X-Hub-Signature-256: ${await sign(secret, examplePush)}' --data-binary @${EXAMPLE_PUSH}`,
          ]),
      `  curl -sS ${server.url}/events/ecr -H 'Content-Type: application/json' --data-binary @dev/examples/ecr-push.json`,
      ...(server.secrets ? [`  curl -sS ${server.url}/events/secrets -H 'Content-Type: application/json' -d '{"secret": "hoist/apps/api/dev"}'`] : []),
      ...(embedded
        ? [
            `  git --git-dir ${embedded.bareRepo} log --oneline main      # the bump commit`,
            `  git --git-dir ${embedded.bareRepo} show main:apps/api/dev/values.yaml`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return server;
}

/**
 * The secret the dev server accepts for the example push: the text itself,
 * or from a JSON secret document the example repository's own secret or
 * else the default (the first of a rotation list). Undefined when none would be accepted.
 */
function exampleSigningSecret(secretText: string, examplePush: string): string | undefined {
  const payload = RepositoryOfPayloadSchema.safeParse(JSON.parse(examplePush));
  const repository = payload.success ? payload.data.repository?.full_name : undefined;
  return selectWebhookSecrets(parseWebhookSecretText(secretText), repository).secrets[0];
}

/**
 * A bad setting or config is the person's to fix: its message names the
 * variable or the config path, and a stack trace would only bury it. A file
 * that cannot be read says so in its message too. Anything else is a bug and
 * keeps its stack.
 */
function describeStartFailure(error: unknown): string {
  if (error instanceof HoistError) return error.message;
  if (error instanceof Error && 'code' in error && 'path' in error) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
