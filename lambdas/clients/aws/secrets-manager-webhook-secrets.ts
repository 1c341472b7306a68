import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { GitHost } from '../../core/events';
import type { WebhookSecretStore } from '../../core/ports';
import { parseWebhookSecretText, selectWebhookSecrets, type WebhookSecretCandidates, type WebhookSecretDocument } from '../../core/webhook-secrets';
import { UnavailableError } from '../../shared/errors';

export interface SecretsManagerWebhookSecretsProps {
  readonly client: SecretsManagerClient;
  /** Secret name or ARN per enabled host; hosts not listed answer 404. */
  readonly secretIds: Partial<Record<GitHost, string>>;
  /** How long a fetched secret is reused, in seconds. @default 300 */
  readonly maxAgeSeconds?: number;
}

/** Webhook secrets from AWS Secrets Manager, cached by Powertools' SecretsProvider. */
export class SecretsManagerWebhookSecrets implements WebhookSecretStore {
  private readonly provider: SecretsProvider;
  private readonly secretIds: Partial<Record<GitHost, string>>;
  private readonly maxAge: number;
  /** The last parsed document per host, reused while the cached secret text is unchanged. */
  private readonly parsed = new Map<GitHost, { text: string; document: WebhookSecretDocument }>();

  constructor(props: SecretsManagerWebhookSecretsProps) {
    this.provider = new SecretsProvider({ awsSdkV3Client: props.client });
    this.secretIds = props.secretIds;
    this.maxAge = props.maxAgeSeconds ?? 300;
  }

  async secretsFor(host: GitHost, repository: string | undefined): Promise<WebhookSecretCandidates | undefined> {
    const secretId = this.secretIds[host];
    if (secretId === undefined) return undefined;
    let text: unknown;
    try {
      text = await this.provider.get(secretId, { maxAge: this.maxAge });
    } catch (error) {
      // The error names the secret id, never its value.
      throw new UnavailableError(`could not read the ${host} webhook secret`, { cause: error });
    }
    if (typeof text !== 'string') throw new UnavailableError(`the ${host} webhook secret is not a string secret`);
    let entry = this.parsed.get(host);
    if (entry?.text !== text) {
      entry = { text, document: parseWebhookSecretText(text) };
      this.parsed.set(host, entry);
    }
    return selectWebhookSecrets(entry.document, repository);
  }
}
