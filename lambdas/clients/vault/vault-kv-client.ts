import * as z from 'zod';
import type { VaultKv, VaultSecretVersion } from '../../core/ports';
import { formatZodIssues, TerminalError, UnavailableError, VaultCasError } from '../../shared/errors';
import { redactUrl } from '../../shared/redact-url';
import {
  isRetryableVaultStatus,
  sendVaultRequest,
  type VaultAnswer,
  type VaultEndpoint,
  VaultErrorsSchema,
  vaultErrorText,
  vaultPathOf,
} from './send-vault-request';

export interface VaultKvClientOptions extends VaultEndpoint {
  /** The Vault token to send, asked for before each request (the supplier caches it). */
  readonly token: () => Promise<string>;
  /** Called when Vault refuses a token (403), before asking `token` again: drop a cached login here. */
  readonly onForbidden?: () => void;
}

/** Vault's error text for a check-and-set write that names another version than the current one. */
export const VAULT_CAS_MISMATCH = 'check-and-set parameter did not match the current version';

/** A version's metadata as `GET /v1/{mount}/data/{path}` answers it. */
const VersionMetadataSchema = z.object({
  version: z.number().int().nonnegative(),
  deletion_time: z.string().default(''),
  destroyed: z.boolean().default(false),
});

/**
 * `GET /v1/{mount}/data/{path}`: 200 with the data, or 404 with `data: null`
 * and the metadata when the latest version is deleted or destroyed.
 */
const ReadAnswerSchema = z.object({
  data: z.object({
    data: z.record(z.string(), z.unknown()).nullable(),
    metadata: VersionMetadataSchema,
  }),
});

/** `POST /v1/{mount}/data/{path}`: the new version's metadata. */
const WriteAnswerSchema = z.object({ data: VersionMetadataSchema });

/**
 * Vault's KV v2 secrets engine over its HTTP API. The latest version's
 * `metadata.version` is the path's `current_version` (the version a
 * check-and-set write must name), also when that version is deleted, so the
 * metadata endpoint is never needed.
 *
 * Errors: a check-and-set mismatch is a VaultCasError; a refused token
 * (after one retry with a fresh one), 5xx, 429 or no answer an
 * UnavailableError; any other refusal a TerminalError. Messages name the
 * mount and path, never a value or a token.
 */
export class VaultKvClient implements VaultKv {
  constructor(private readonly options: VaultKvClientOptions) {}

  async read(mount: string, path: string): Promise<VaultSecretVersion | undefined> {
    const where = `${mount}/${path}`;
    const answer = await this.call('GET', dataPathOf(mount, path), where);
    if (answer.status === 200) {
      const parsed = this.parse(ReadAnswerSchema, answer, 'GET', where);
      return { version: parsed.data.metadata.version, data: parsed.data.data ?? undefined };
    }
    if (answer.status === 404) {
      // Vault answers 404 both when nothing was ever written (`{"errors":[]}`) and when the latest version is deleted or destroyed (data null, metadata kept).
      const deleted = ReadAnswerSchema.safeParse(answer.body);
      if (deleted.success) return { version: deleted.data.data.metadata.version, data: undefined };
      const errors = VaultErrorsSchema.safeParse(answer.body);
      if (errors.success && errors.data.errors.length === 0) return undefined;
      // A 404 with an error is a route Vault does not have: no KV v2 engine at that mount.
      throw new TerminalError(`Vault has no KV v2 secret engine for ${where} at ${this.host()}: ${vaultErrorText(answer.body)}`);
    }
    throw this.failure(answer, 'GET', where);
  }

  async write(mount: string, path: string, data: Readonly<Record<string, unknown>>, cas: number): Promise<number> {
    const where = `${mount}/${path}`;
    if (!Number.isSafeInteger(cas) || cas < 0) throw new TerminalError(`a check-and-set write to ${where} needs a version >= 0, not ${cas}`);
    const answer = await this.call('POST', dataPathOf(mount, path), where, { options: { cas }, data });
    if (answer.status === 200) return this.parse(WriteAnswerSchema, answer, 'POST', where).data.version;
    if (answer.status === 400 && VaultErrorsSchema.safeParse(answer.body).data?.errors.some((e) => e.includes(VAULT_CAS_MISMATCH))) {
      throw new VaultCasError(`Vault refused the write to ${where}: version ${cas} is no longer the current version`);
    }
    throw this.failure(answer, 'POST', where);
  }

  async deleteVersion(mount: string, path: string, version: number): Promise<void> {
    if (!Number.isInteger(version) || version < 1) throw new TerminalError(`Vault version to delete must be a whole number from 1, got ${version}`);
    const where = `${mount}/${path}`;
    // POST {mount}/delete/{path} with the version named, so a version written meanwhile is not the one deleted.
    const answer = await this.call('POST', `${vaultPathOf('mount', mount)}/delete/${vaultPathOf('path', path)}`, where, { versions: [version] });
    if (answer.status === 204 || answer.status === 200) return;
    throw this.failure(answer, 'POST delete', where);
  }

  /** One request; on a 403 the cached token is dropped and the request sent once more with a fresh one. */
  private async call(method: 'GET' | 'POST' | 'DELETE', path: string, where: string, body?: unknown): Promise<VaultAnswer> {
    const first = await sendVaultRequest(this.options, method, path, { token: await this.options.token(), body });
    if (first.status !== 403) return first;
    this.options.onForbidden?.();
    const second = await sendVaultRequest(this.options, method, path, { token: await this.options.token(), body });
    if (second.status !== 403) return second;
    // A fresh token refused too: the token's policy does not allow this path, which no retry changes.
    throw new TerminalError(
      `Vault refused the token (403) for ${method} ${where} at ${this.host()}: ${vaultErrorText(second.body)}; check that the token's policy allows it`,
    );
  }

  private parse<T>(schema: z.ZodType<T>, answer: VaultAnswer, method: string, where: string): T {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    throw new TerminalError(`Vault at ${this.host()} answered ${method} ${where} with an unexpected body: ${formatZodIssues(parsed.error.issues)}`);
  }

  private failure(answer: VaultAnswer, method: string, where: string): Error {
    const message = `Vault at ${this.host()} answered ${method} ${where} with ${answer.status}: ${vaultErrorText(answer.body)}`;
    return isRetryableVaultStatus(answer.status) ? new UnavailableError(message) : new TerminalError(message);
  }

  private host(): string {
    return redactUrl(this.options.url);
  }
}

/** `{mount}/data/{path}`, each segment encoded; `..` and empty segments refused. */
function dataPathOf(mount: string, path: string): string {
  return `${vaultPathOf('mount', mount)}/data/${vaultPathOf('path', path)}`;
}
