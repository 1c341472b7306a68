import { slackNotifiers } from '../clients/slack-notifier';
import type { PromotionConfig, RepositoryConfig, SlackDestination } from '../core/config/promotion-config';
import type { GitProvider, Notifier } from '../core/ports';
import { providerCache } from '../providers/create-provider';

/** Reads a string secret by name (see secretsManagerStrings). */
export type SecretReader = (name: string) => Promise<string>;

/** The Git providers of the deployed functions: a repository's token is the secret its `credentials.secretName` names. */
export function providersFromSecrets(secret: SecretReader): (repository: RepositoryConfig) => Promise<GitProvider> {
  return providerCache(async (repository) => (repository.credentials.secretName ? secret(repository.credentials.secretName) : undefined));
}

/** The Slack notifiers of the deployed functions: the incoming-webhook URL is the destination's own secret, else `slack.webhookSecretName`. */
export function slackNotifiersFromSecrets(config: PromotionConfig, secret: SecretReader): (destination: SlackDestination | undefined) => Notifier | undefined {
  return slackNotifiers<SlackDestination>((destination) => {
    const name = destination?.webhookSecretName ?? config.slack.webhookSecretName;
    return name === undefined ? undefined : () => secret(name);
  });
}
