import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { DeletedSecret, ListedSecret, SecretSource, SourceSecret } from '../../core/ports';
import { UnavailableError } from '../../shared/errors';

/** The local secrets file: name → value (a JSON object or a plain string), optional tags, optional deletion. */
const SecretsFileSchema = z.record(
  z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'not a valid Secrets Manager name'),
  z
    .object({
      // Any JSON object, as Secrets Manager stores any text: what cannot sync is the sync's to refuse, by key.
      value: z.union([z.string(), z.record(z.string(), z.unknown())]),
      tags: z.record(z.string(), z.string()).default({}),
      /** Stands for a secret scheduled for deletion. */
      deleted: z.boolean().default(false),
    })
    .strict(),
);

/** The ARN a local secret stands under: the local account and region, Secrets Manager's six-character suffix. */
export const localSecretArn = (name: string): string => `arn:aws:secretsmanager:local:000000000000:secret:${name}-local0`;

/**
 * Secrets Manager for the dev server: a JSON file read on every call, so an
 * edit is seen at the next change event. A file that cannot be read is an
 * UnavailableError (the dev server answers 502, as for an unreachable
 * service); errors name the file and the entry, never a value.
 */
export class FileSecretSource implements SecretSource {
  constructor(private readonly path: string) {}

  async read(secretId: string): Promise<SourceSecret | DeletedSecret> {
    const entries = this.entries();
    const name = secretId.startsWith('arn:') ? Object.keys(entries).find((n) => localSecretArn(n) === secretId) : secretId;
    const entry = name === undefined ? undefined : entries[name];
    if (name === undefined || entry === undefined) return { deleted: true, ...(secretId.startsWith('arn:') ? { arn: secretId } : { name: secretId }) };
    if (entry.deleted) return { deleted: true, arn: localSecretArn(name), name, tags: entry.tags };
    const text = typeof entry.value === 'string' ? entry.value : JSON.stringify(entry.value);
    // A stable version id per value, as Secrets Manager gives a new one per change.
    const digest = createHash('sha256').update(text).digest('hex');
    const versionId = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
    return { arn: localSecretArn(name), name, versionId, tags: entry.tags, text };
  }

  async list(prefixes: readonly string[]): Promise<readonly ListedSecret[]> {
    return Object.entries(this.entries())
      .filter(([name]) => prefixes.some((prefix) => name.startsWith(prefix)))
      .map(([name, entry]) => ({ arn: localSecretArn(name), name, tags: entry.tags, ...(entry.deleted ? { deletedAt: new Date(0).toISOString() } : {}) }));
  }

  private entries(): z.infer<typeof SecretsFileSchema> {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      // The stand-in for Secrets Manager cannot be read: like an unreachable service, not a bad request.
      throw new UnavailableError(`secrets file ${this.path}: not readable JSON (${(error as NodeJS.ErrnoException).code ?? 'parse error'})`);
    }
    const parsed = SecretsFileSchema.safeParse(raw);
    if (!parsed.success) {
      // zod messages name paths and expectations; a value is never echoed.
      throw new UnavailableError(`secrets file ${this.path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }
}
