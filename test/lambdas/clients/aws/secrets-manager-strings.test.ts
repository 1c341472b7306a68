import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { secretsManagerStrings } from '../../../../lambdas/clients/aws/secrets-manager-strings';

// Answers shaped as Secrets Manager's GetSecretValue documents them: SecretString for text, SecretBinary for bytes.
const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

describe('secretsManagerStrings', () => {
  it('reads a string secret once and keeps it for the next reads', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'hoist/argocd/token' }).resolves({ Name: 'hoist/argocd/token', SecretString: 'token-1' });
    const secret = secretsManagerStrings(new SecretsManagerClient({ region: 'eu-west-1' }));
    expect(await secret('hoist/argocd/token')).toBe('token-1');
    expect(await secret('hoist/argocd/token')).toBe('token-1');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads past the kept value when asked to (a token that may have been rotated)', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'hoist/vault/token' })
      .resolvesOnce({ Name: 'hoist/vault/token', SecretString: 'old' })
      .resolves({ Name: 'hoist/vault/token', SecretString: 'rotated' });
    const secret = secretsManagerStrings(new SecretsManagerClient({ region: 'eu-west-1' }));
    expect(await secret('hoist/vault/token')).toBe('old');
    expect(await secret('hoist/vault/token')).toBe('old');
    expect(await secret('hoist/vault/token', { forceFetch: true })).toBe('rotated');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a binary secret, naming it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ Name: 'hoist/bin', SecretBinary: new Uint8Array([1, 2]) });
    const secret = secretsManagerStrings(new SecretsManagerClient({ region: 'eu-west-1' }));
    await expect(secret('hoist/bin')).rejects.toThrowError('secret hoist/bin is not a string secret');
  });
});
