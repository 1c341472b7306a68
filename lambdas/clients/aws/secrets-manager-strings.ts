import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Reads string secrets from Secrets Manager by name, each kept five minutes
 * by Powertools' SecretsProvider (so a rotated token is picked up without a
 * deploy) and never logged; `forceFetch` reads past that cache. A binary
 * secret is an error naming the secret.
 */
export function secretsManagerStrings(
  client: SecretsManagerClient = new SecretsManagerClient({}),
): (name: string, options?: { readonly forceFetch?: boolean }) => Promise<string> {
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  return async (name, options) => {
    const value = await secrets.get(name, { maxAge: 300, forceFetch: options?.forceFetch ?? false });
    if (typeof value !== 'string') throw new Error(`secret ${name} is not a string secret`);
    return value;
  };
}
