import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { DynamoDbAuditLog } from '../clients/aws/dynamodb-promotion-stores';
import { CachedSlackDirectory } from '../clients/cached-slack-directory';
import { SlackResponseUrlResponder } from '../clients/slack-response-url';
import { SlackWebApi } from '../clients/slack-web-api';
import { DEFAULT_MAX_BODY_BYTES } from '../core/intake/intake-defaults';
import type { ReceiveSlackActionDeps } from '../core/intake/receive-slack-action';
import { PositiveIntText, readEnv } from '../shared/env';
import { TerminalError, UnavailableError } from '../shared/errors';
import { type AwsIntakeDeps, awsIntakeDeps, IntakeEnvSchema } from './lambda-intake';
import { readShippedConfig, ShippedConfigEnvSchema } from './read-shipped-config';

/** The variables the Slack actions function reads; the secret names come from the bundled config. */
export const SlackActionsEnvSchema = z.extend(IntakeEnvSchema, {
  ...ShippedConfigEnvSchema.shape,
  HOIST_MAX_BODY_BYTES: z._default(PositiveIntText, DEFAULT_MAX_BODY_BYTES),
});

/**
 * The Slack actions function's object graph on AWS: `slack.app` from the
 * bundled config, its signing secret and bot token from Secrets Manager by
 * the names there (cached five minutes by Powertools' SecretsProvider, never
 * logged), the delivery ledger and event queue the other intake functions use.
 */
export function wireLambdaSlackActions(
  env: z.infer<typeof SlackActionsEnvSchema> = readEnv(SlackActionsEnvSchema),
): ReceiveSlackActionDeps & Pick<AwsIntakeDeps, 'routingReady'> {
  const config = readShippedConfig(env.HOIST_CONFIG_PATH, env.HOIST_CONFIG_SHA256);
  const app = config.slack.app;
  if (app?.signingSecretName === undefined || app.botTokenSecretName === undefined) {
    throw new TerminalError(`${env.HOIST_CONFIG_PATH}: slack.app needs signingSecretName and botTokenSecretName for the deployed Slack actions function`);
  }
  const provider = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  const secret = (name: string, what: string) => async (): Promise<string> => {
    let value: unknown;
    try {
      value = await provider.get(name, { maxAge: 300 });
    } catch (error) {
      // The error names the secret, never its value.
      throw new UnavailableError(`could not read the Slack ${what} (${name})`, { cause: error });
    }
    if (typeof value !== 'string' || value === '') throw new TerminalError(`the Slack ${what} (${name}) is not a non-empty string secret`);
    return value;
  };
  return {
    ...awsIntakeDeps(env),
    signingSecret: secret(app.signingSecretName, 'signing secret'),
    app,
    directory: new CachedSlackDirectory({ directory: new SlackWebApi({ token: secret(app.botTokenSecretName, 'bot token') }) }),
    responder: new SlackResponseUrlResponder(),
    // Refused decisions go to the audit trail (PutItem, as the ledger's claims do).
    audit: new DynamoDbAuditLog(new DynamoDBClient({}), env.HOIST_TABLE_NAME),
    maxBodyBytes: env.HOIST_MAX_BODY_BYTES,
  };
}
