import {
  DecryptionFailure,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidRequestException,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  type ListSecretsCommandOutput,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretSource } from '../../../../lambdas/clients/aws/secrets-manager-secret-source';
import { TerminalError, UnavailableError } from '../../../../lambdas/shared/errors';

/*
 * Secrets Manager through aws-sdk-client-mock, answering as its API reference
 * documents: DescribeSecret with ARN, Name, Tags and DeletedDate (set while
 * the secret is scheduled for deletion); GetSecretValue with VersionId and
 * SecretString or SecretBinary; ResourceNotFoundException for an unknown
 * secret or a version label it does not have; InvalidRequestException for
 * GetSecretValue on a secret scheduled for deletion; ListSecrets pages
 * joined by NextToken, filtered by a case-insensitive name prefix.
 */
const NAME = 'hoist/apps/api/dev';
const ARN = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${NAME}-Xq3Lm9`;
const VALUE = '{"password":"hunter2-do-not-leak"}';
const meta = { $metadata: {} };
const awsError = <E extends Error>(Type: new (opts: { message: string; $metadata: object }) => E, message: string) => new Type({ message, $metadata: {} });
/** IAM's refusal, which the SDK raises as an unmodeled service exception named after the error code. */
const accessDenied = (message: string) => new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message });

describe('SecretsManagerSecretSource', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());
  const source = () => new SecretsManagerSecretSource({ client: new SecretsManagerClient({ region: 'eu-west-1' }) });

  it('reads a secret: ARN, name and tags from DescribeSecret, the AWSCURRENT version and text from GetSecretValue', async () => {
    sm.on(DescribeSecretCommand, { SecretId: NAME }).resolves({ ...meta, ARN, Name: NAME, Tags: [{ Key: 'hoist:service', Value: 'api' }, { Key: 'empty' }] });
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({ ...meta, ARN, Name: NAME, VersionId: 'v-2', SecretString: VALUE });
    expect(await source().read(NAME)).toEqual({ arn: ARN, name: NAME, versionId: 'v-2', tags: { 'hoist:service': 'api', empty: '' }, text: VALUE });
  });

  it('reads a binary secret with no text', async () => {
    sm.on(DescribeSecretCommand).resolves({ ...meta, ARN, Name: NAME });
    sm.on(GetSecretValueCommand).resolves({ ...meta, ARN, Name: NAME, VersionId: 'v-1', SecretBinary: new Uint8Array([1, 2, 3]) });
    expect(await source().read(ARN)).toEqual({ arn: ARN, name: NAME, versionId: 'v-1', tags: {}, text: undefined });
  });

  it('answers deleted for a secret that does not exist, one scheduled for deletion, and one with no current value', async () => {
    sm.on(DescribeSecretCommand).rejects(awsError(ResourceNotFoundException, "Secrets Manager can't find the specified secret."));
    expect(await source().read(ARN)).toEqual({ deleted: true, arn: ARN });
    expect(await source().read(NAME)).toEqual({ deleted: true, name: NAME });

    sm.reset();
    sm.on(DescribeSecretCommand).resolves({
      ...meta,
      ARN,
      Name: NAME,
      DeletedDate: new Date('2026-11-30T09:20:03Z'),
      Tags: [{ Key: 'hoist:service', Value: 'api' }],
    });
    // The tags still say where the deleted secret was synced to.
    expect(await source().read(NAME)).toEqual({ deleted: true, arn: ARN, name: NAME, tags: { 'hoist:service': 'api' } });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);

    sm.reset();
    sm.on(DescribeSecretCommand).resolves({ ...meta, ARN, Name: NAME });
    sm.on(GetSecretValueCommand).rejects(
      awsError(InvalidRequestException, "You can't perform this operation on the secret because it was marked for deletion."),
    );
    // DescribeSecret said it is not scheduled for deletion: the refusal is retried, never taken for a deletion.
    const refused = await source()
      .read(NAME)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(UnavailableError);
    sm.on(GetSecretValueCommand).rejects(
      awsError(ResourceNotFoundException, "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"),
    );
    expect(await source().read(NAME)).toEqual({ deleted: true, arn: ARN, name: NAME, tags: {} });
  });

  it('fails for good when the role may not read or decrypt the secret, and retryably otherwise', async () => {
    sm.on(DescribeSecretCommand).resolves({ ...meta, ARN, Name: NAME });
    sm.on(GetSecretValueCommand).rejects(awsError(DecryptionFailure, 'Access to KMS is not allowed'));
    await expect(source().read(NAME)).rejects.toThrow(new TerminalError(`could not read secret ${NAME}: DecryptionFailure`));
    sm.on(GetSecretValueCommand).rejects(awsError(InternalServiceError, 'internal error'));
    const error = await source()
      .read(NAME)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(`could not read secret ${NAME}: InternalServiceError`);

    sm.on(DescribeSecretCommand).rejects(accessDenied('not authorized to perform: secretsmanager:DescribeSecret'));
    await expect(source().read('other/secret')).rejects.toThrow(new TerminalError('could not describe secret other/secret: AccessDeniedException'));
  });

  it('never puts a value into an error, even when the response that held it was unusable', async () => {
    sm.on(DescribeSecretCommand).resolves({ ...meta, ARN, Name: NAME });
    sm.on(GetSecretValueCommand).resolves({ ...meta, ARN, Name: NAME, SecretString: VALUE });
    const error = await source()
      .read(NAME)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe(`Secrets Manager returned secret ${NAME} without a version id`);
    expect((error as Error).cause).toBeUndefined();
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('hunter2');
  });

  it('lists every page per prefix, secrets scheduled for deletion included, keeping only exact-case prefix matches', async () => {
    const pages: Record<string, ListSecretsCommandOutput> = {
      'hoist/apps/:first': {
        ...meta,
        SecretList: [
          { ARN, Name: NAME, Tags: [{ Key: 'team', Value: 'a' }] },
          // The name filter is case-insensitive.
          { ARN: ARN.replace('hoist/apps', 'HOIST/apps'), Name: 'HOIST/apps/api/dev' },
        ],
        NextToken: 'page-2',
      },
      'hoist/apps/:page-2': {
        ...meta,
        SecretList: [{ ARN: ARN.replace('api', 'old'), Name: 'hoist/apps/old/dev', DeletedDate: new Date('2026-11-20T00:00:00Z') }],
      },
      'legacy/db:first': { ...meta, SecretList: [{ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/db-AbC123', Name: 'legacy/db' }] },
    };
    const sent: ListSecretsCommandInput[] = [];
    sm.on(ListSecretsCommand).callsFake((input: ListSecretsCommandInput) => {
      sent.push(structuredClone(input));
      return pages[`${input.Filters?.[0]?.Values?.[0]}:${input.NextToken ?? 'first'}`];
    });
    expect(await source().list(['hoist/apps/', 'legacy/db', 'hoist/apps/'])).toEqual([
      { arn: ARN, name: NAME, tags: { team: 'a' } },
      { arn: ARN.replace('api', 'old'), name: 'hoist/apps/old/dev', tags: {}, deletedAt: '2026-11-20T00:00:00.000Z' },
      { arn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/db-AbC123', name: 'legacy/db', tags: {} },
    ]);
    expect(sent).toEqual([
      { IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['hoist/apps/'] }], MaxResults: 100 },
      { IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['hoist/apps/'] }], MaxResults: 100, NextToken: 'page-2' },
      { IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['legacy/db'] }], MaxResults: 100 },
    ]);
  });

  it('names the prefix it could not list', async () => {
    sm.on(ListSecretsCommand).rejects(accessDenied('not authorized to perform: secretsmanager:ListSecrets'));
    await expect(source().list(['hoist/apps/'])).rejects.toThrow(new TerminalError('could not list secrets under hoist/apps/: AccessDeniedException'));
  });
});
