import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerWebhookSecrets } from '../../../../lambdas/clients/aws/secrets-manager-webhook-secrets';
import { UnavailableError } from '../../../../lambdas/shared/errors';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../../support/fake-aws-json-service';

/*
 * The fake follows Secrets Manager's documented GetSecretValue (AWS JSON 1.1,
 * X-Amz-Target secretsmanager.GetSecretValue): SecretString for text secrets,
 * ResourceNotFoundException (400) for an unknown SecretId.
 */
describe('SecretsManagerWebhookSecrets (real client against a local Secrets Manager fake)', () => {
  let fake: FakeAwsJsonService | undefined;
  afterEach(async () => fake?.close());

  const secrets: Record<string, string> = {
    'hoist/webhooks/github': JSON.stringify({ default: 'gh-default', repositories: { 'team/app': ['app-new', 'app-old'] } }),
    'hoist/webhooks/gitlab': 'plain-token',
  };

  async function store(maxAgeSeconds = 300) {
    fake = await startFakeAwsJsonService(({ body }) => {
      const value = secrets[String(body.SecretId)];
      if (value === undefined) return { status: 400, errorType: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." };
      return { body: { ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${String(body.SecretId)}`, Name: body.SecretId, SecretString: value } };
    });
    return new SecretsManagerWebhookSecrets({
      client: new SecretsManagerClient({ endpoint: fake.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      secretIds: { github: 'hoist/webhooks/github', gitlab: 'hoist/webhooks/gitlab', gitea: 'hoist/webhooks/missing' },
      maxAgeSeconds,
    });
  }

  it('picks per-repository secrets, else the default, from a JSON secret', async () => {
    const s = await store();
    expect(await s.secretsFor('github', 'team/app')).toEqual({ scope: { kind: 'repository', repository: 'team/app' }, secrets: ['app-new', 'app-old'] });
    expect(await s.secretsFor('github', 'team/other')).toEqual({ scope: { kind: 'default' }, secrets: ['gh-default'] });
    expect(await s.secretsFor('gitlab', undefined)).toEqual({ scope: { kind: 'default' }, secrets: ['plain-token'] });
  });

  it('reads each secret once and serves it from cache afterwards', async () => {
    const s = await store();
    await s.secretsFor('github', undefined);
    await s.secretsFor('github', 'team/app');
    await s.secretsFor('github', undefined);
    expect(fake?.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue')).toHaveLength(1);
  });

  it('answers undefined for a host that has no secret configured', async () => {
    const s = new SecretsManagerWebhookSecrets({ client: new SecretsManagerClient({ region: 'eu-west-1' }), secretIds: {} });
    expect(await s.secretsFor('gitea', undefined)).toBeUndefined();
  });

  it('reports an unreadable secret as unavailable without its value', async () => {
    const s = await store();
    const failure = s.secretsFor('gitea', undefined);
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toThrowError('could not read the gitea webhook secret');
  });
});
