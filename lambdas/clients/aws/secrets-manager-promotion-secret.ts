import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PromotionClientSecrets } from '../../core/intake/verify-promotion-signature';
import { parseWebhookSecretText, selectWebhookSecrets, type WebhookSecretDocument } from '../../core/webhook-secrets';
import { UnavailableError } from '../../shared/errors';

export interface SecretsManagerPromotionSecretProps {
  readonly client: SecretsManagerClient;
  /** Name or ARN of the client secret. */
  readonly secretId: string;
  /** How long a fetched secret is reused, in seconds. @default 300 */
  readonly maxAgeSeconds?: number;
}

/**
 * The promotion client secret from AWS Secrets Manager, cached by
 * Powertools' SecretsProvider: plain text, or the webhook secret document of
 * which `default` (one value or a rotation list) is used.
 */
export class SecretsManagerPromotionSecret implements PromotionClientSecrets {
  private readonly provider: SecretsProvider;
  private readonly secretId: string;
  private readonly maxAge: number;
  private parsed: { text: string; document: WebhookSecretDocument } | undefined;

  constructor(props: SecretsManagerPromotionSecretProps) {
    this.provider = new SecretsProvider({ awsSdkV3Client: props.client });
    this.secretId = props.secretId;
    this.maxAge = props.maxAgeSeconds ?? 300;
  }

  async current(): Promise<readonly string[]> {
    let text: unknown;
    try {
      text = await this.provider.get(this.secretId, { maxAge: this.maxAge });
    } catch (error) {
      // The error names the secret id, never its value.
      throw new UnavailableError('could not read the promotion client secret', { cause: error });
    }
    if (typeof text !== 'string') throw new UnavailableError('the promotion client secret is not a string secret');
    if (this.parsed?.text !== text) this.parsed = { text, document: parseWebhookSecretText(text) };
    return selectWebhookSecrets(this.parsed.document, undefined).secrets;
  }
}
