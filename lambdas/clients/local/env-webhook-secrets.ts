import type { GitHost } from '../../core/events';
import type { WebhookSecretStore } from '../../core/ports';
import { parseWebhookSecretText, selectWebhookSecrets, type WebhookSecretCandidates, type WebhookSecretDocument } from '../../core/webhook-secrets';

/** The variable that holds a host's webhook secret for the local dev server. */
export const localSecretVariable = (host: GitHost): string => `HOIST_WEBHOOK_SECRET_${host.toUpperCase()}`;

/**
 * Webhook secrets for the local dev server only, read once from variables
 * such as `HOIST_WEBHOOK_SECRET_GITHUB` (plain text or the JSON document).
 * Deployed functions never use this: their secrets come from Secrets Manager.
 */
export class EnvWebhookSecrets implements WebhookSecretStore {
  private readonly documents: Partial<Record<GitHost, WebhookSecretDocument>> = {};

  constructor(env: Readonly<Record<string, string | undefined>>, hosts: readonly GitHost[]) {
    for (const host of hosts) {
      const text = env[localSecretVariable(host)];
      if (text !== undefined && text !== '') this.documents[host] = parseWebhookSecretText(text);
    }
  }

  async secretsFor(host: GitHost, repository: string | undefined): Promise<WebhookSecretCandidates | undefined> {
    const document = this.documents[host];
    return document === undefined ? undefined : selectWebhookSecrets(document, repository);
  }
}
