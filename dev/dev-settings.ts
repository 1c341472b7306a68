import * as z from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from '../lambdas/core/intake/intake-defaults';
import { parseWebhookSecretText } from '../lambdas/core/webhook-secrets';
import { readEnv } from '../lambdas/shared/env';
import { TerminalError } from '../lambdas/shared/errors';

/** API Gateway's own ceiling on a request body; the configured limit may not exceed it. */
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The promotion client secret when HOIST_PROMOTION_SECRET is not set: the same
 * text dev/server.ts gives the webhooks, so `npm start` works out of the box on loopback.
 */
export const DEV_PROMOTION_SECRET = 'hoist-dev-secret';

/** An empty variable (`PORT=`) counts as unset, as in a `.env` file with the value left out. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema);

const WholeNumberText = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform((text) => Number(text));

/** A webhook secret as plain text or the JSON document, checked at start rather than at the first delivery. */
const WebhookSecretText = z.string().superRefine((text, context) => {
  try {
    parseWebhookSecretText(text);
  } catch (error) {
    // The parser's message never repeats the secret.
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'not a webhook secret' });
  }
});

/**
 * Every variable the dev server reads, in one place. Repository tokens are
 * not here: the config names their variables (`credentials.env`).
 */
export const DevSettingsSchema = z
  .object({
    /** 0 picks a free port. */
    PORT: unsetWhenEmpty(WholeNumberText.pipe(z.number().max(65_535, 'expected a port from 0 to 65535')).default(8080)),
    HOIST_MAX_BODY_BYTES: unsetWhenEmpty(
      WholeNumberText.pipe(
        z.number().min(1, 'expected at least 1 byte').max(GATEWAY_BODY_LIMIT, `expected at most ${GATEWAY_BODY_LIMIT} bytes (API Gateway's own limit)`),
      ).default(DEFAULT_MAX_BODY_BYTES),
    ),
    /** The embedded GitOps repository, its config and the dev server's state live here. */
    HOIST_WORK_DIR: unsetWhenEmpty(z.string().default('.hoist')),
    /** A hoist.config.yaml of your own instead of the embedded one. */
    HOIST_CONFIG: unsetWhenEmpty(z.string().optional()),
    HOIST_ARGOCD_URL: unsetWhenEmpty(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional()),
    HOIST_ARGOCD_TOKEN: unsetWhenEmpty(z.string().optional()),
    HOIST_SLACK_WEBHOOK_URL: unsetWhenEmpty(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional()),
    HOIST_WEBHOOK_SECRET_GITHUB: unsetWhenEmpty(WebhookSecretText.optional()),
    HOIST_WEBHOOK_SECRET_GITLAB: unsetWhenEmpty(WebhookSecretText.optional()),
    HOIST_WEBHOOK_SECRET_GITEA: unsetWhenEmpty(WebhookSecretText.optional()),
    /** A real Vault for the secrets sync instead of the embedded one; its token comes from the variable the config names. */
    HOIST_VAULT_ADDR: unsetWhenEmpty(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional()),
    /** The secrets file that stands in for Secrets Manager. @default <work dir>/secrets.json, copied from dev/examples/secrets.json */
    HOIST_SECRETS_FILE: unsetWhenEmpty(z.string().optional()),
    /** Slack's Web API for the approval messages (a local stand-in in tests). @default https://slack.com/api */
    HOIST_SLACK_API_URL: unsetWhenEmpty(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional()),
    /** Signs `/promotions` requests (plain text, or the webhook secret document, of which `default` counts). */
    HOIST_PROMOTION_SECRET: unsetWhenEmpty(WebhookSecretText.default(DEV_PROMOTION_SECRET)),
  })
  .refine((settings) => (settings.HOIST_ARGOCD_URL === undefined) === (settings.HOIST_ARGOCD_TOKEN === undefined), {
    path: ['HOIST_ARGOCD_TOKEN'],
    message: 'set HOIST_ARGOCD_URL and HOIST_ARGOCD_TOKEN together, or neither',
  });
export type DevSettings = z.infer<typeof DevSettingsSchema>;

/**
 * Reads the dev server's settings. A bad one is a TerminalError naming the
 * variable and what is wrong with it (`HOIST_MAX_BODY_BYTES: expected a whole number`).
 */
export function readDevSettings(env: Readonly<Record<string, string | undefined>>): DevSettings {
  try {
    return readEnv(DevSettingsSchema, env);
  } catch (error) {
    throw new TerminalError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
