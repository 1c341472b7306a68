import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type ListSecretsCommandOutput,
  paginateListSecrets,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import type { DeletedSecret, ListedSecret, SecretSource, SourceSecret } from '../../core/ports';
import { isSecretArn } from '../../core/secrets/secret-name-of-arn';
import { TerminalError, UnavailableError } from '../../shared/errors';

export interface SecretsManagerSecretSourceProps {
  readonly client: SecretsManagerClient;
}

/** Errors that retrying cannot help: the role may not read the secret, or not decrypt it. */
const TERMINAL_ERRORS = new Set(['AccessDeniedException', 'DecryptionFailure']);
/** Secrets Manager's answer for a secret, or a version label, that does not exist. */
const NOT_FOUND = 'ResourceNotFoundException';
/** Secrets Manager's answer to GetSecretValue on a secret scheduled for deletion. */
const INVALID_REQUEST = 'InvalidRequestException';

/**
 * Secret values from AWS Secrets Manager, for the secrets sync. `read` asks
 * DescribeSecret (ARN, name, tags, deletion date) and then GetSecretValue of
 * the `AWSCURRENT` version; `list` pages through ListSecrets per prefix.
 *
 * No error it throws carries a value: messages name the secret id and the
 * AWS error name only, and a response that holds a value is never attached.
 */
export class SecretsManagerSecretSource implements SecretSource {
  constructor(private readonly props: SecretsManagerSecretSourceProps) {}

  async read(secretId: string): Promise<SourceSecret | DeletedSecret> {
    const gone: DeletedSecret = isSecretArn(secretId) ? { deleted: true, arn: secretId } : { deleted: true, name: secretId };
    let described: DescribeSecretCommandOutput;
    try {
      described = await this.props.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (error) {
      if (errorName(error) === NOT_FOUND) return gone;
      throw sourceError(`could not describe secret ${secretId}`, error);
    }
    const arn = described.ARN;
    const name = described.Name;
    if (arn === undefined || name === undefined) throw new UnavailableError(`Secrets Manager described secret ${secretId} without its ARN or name`);
    // Tags still say where a deleted secret was synced to.
    if (described.DeletedDate !== undefined) return { deleted: true, arn, name, tags: tagsOf(described.Tags) };

    let value: GetSecretValueCommandOutput;
    try {
      value = await this.props.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    } catch (error) {
      // Deleted since DescribeSecret, or never given a value: there is nothing current to sync.
      const code = errorName(error);
      if (code === NOT_FOUND) return { deleted: true, arn, name, tags: tagsOf(described.Tags) };
      // DescribeSecret just said it is not scheduled for deletion; if it is by now, the retry's DescribeSecret says so.
      // Any other refusal of this kind is not taken for a deletion.
      if (code === INVALID_REQUEST) throw new UnavailableError(`Secrets Manager refused to read secret ${name} (${code}); will read it again`);
      throw sourceError(`could not read secret ${name}`, error);
    }
    // The response holds the value: nothing of it goes into an error.
    if (value.VersionId === undefined) throw new UnavailableError(`Secrets Manager returned secret ${name} without a version id`);
    return { arn, name, versionId: value.VersionId, tags: tagsOf(described.Tags), text: value.SecretString };
  }

  async list(prefixes: readonly string[]): Promise<readonly ListedSecret[]> {
    const found = new Map<string, ListedSecret>();
    for (const prefix of [...new Set(prefixes)]) {
      const pages = paginateListSecrets(
        { client: this.props.client, pageSize: 100 },
        // The name filter matches a prefix, case-insensitively; the check below makes it exact.
        { IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: [prefix] }] },
      );
      try {
        for await (const page of pages) {
          for (const secret of listedOf(page)) if (secret.name.startsWith(prefix)) found.set(secret.arn, secret);
        }
      } catch (error) {
        throw sourceError(`could not list secrets under ${prefix}`, error);
      }
    }
    return [...found.values()];
  }
}

function listedOf(page: ListSecretsCommandOutput): ListedSecret[] {
  return (page.SecretList ?? []).flatMap((entry) =>
    entry.ARN === undefined || entry.Name === undefined
      ? []
      : [
          {
            arn: entry.ARN,
            name: entry.Name,
            tags: tagsOf(entry.Tags),
            ...(entry.DeletedDate === undefined ? {} : { deletedAt: entry.DeletedDate.toISOString() }),
          },
        ],
  );
}

function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])));
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** A failed request (no value was received): terminal when retrying cannot help, else worth a retry. */
function sourceError(message: string, error: unknown): Error {
  const name = errorName(error) ?? 'error';
  return TERMINAL_ERRORS.has(name) ? new TerminalError(`${message}: ${name}`, { cause: error }) : new UnavailableError(`${message}: ${name}`, { cause: error });
}
