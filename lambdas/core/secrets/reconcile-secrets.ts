import { createHash } from 'node:crypto';
import type { ListedSecret, SecretChangeQueue, SecretSource } from '../ports';
import { type SecretChange, SecretChangeSchema } from './secret-change';
import { isSecretInScope, type SecretScope } from './secret-scope';

/** Minutes between scheduled secrets reconciles, unless configured otherwise. */
export const DEFAULT_SECRETS_RECONCILE_MINUTES = 60;

export interface ReconcileSecretsInput {
  readonly scope: SecretScope;
  readonly source: Pick<SecretSource, 'list'>;
}

export interface ReconcileSecretsDeps {
  readonly queue: SecretChangeQueue;
  readonly now: () => Date;
}

/** What one reconcile run did. */
export interface ReconcileSecretsResult {
  /** Secrets in scope that Secrets Manager listed. */
  readonly listed: number;
  /** Changes queued, per kind: `reconcile` for live secrets, `deleted` for those scheduled for deletion. */
  readonly queued: { readonly reconcile: number; readonly deleted: number };
  /** Secrets that no change message can name (an ARN or name outside its bounds), with the reason. */
  readonly skipped: ReadonlyArray<{ readonly secret: string; readonly reason: string }>;
}

/**
 * Queues every secret in scope for the sync, so that what CloudTrail events
 * missed (or a person changed in Vault) is repaired: one `reconcile` change
 * per live secret and one `deleted` change per secret scheduled for deletion.
 * The exact entry names are listed as prefixes and filtered again here,
 * because Secrets Manager's name filter is a case-insensitive prefix match.
 * The change id is `reconcile:<run time>:<digest of the arn>`, so a retried send of the
 * same run is dropped by the FIFO queue and the next run queues again.
 * A listing or queue failure throws: the next scheduled run is the retry.
 */
export async function reconcileSecrets(input: ReconcileSecretsInput, deps: ReconcileSecretsDeps): Promise<ReconcileSecretsResult> {
  const runAt = deps.now().toISOString();
  const listed = await input.source.list([...new Set([...input.scope.prefixes, ...input.scope.names])]);
  const inScope = uniqueByArn(listed.filter((secret) => isSecretInScope(secret.name, input.scope))).sort((a, b) => compareText(a.name, b.name));

  const changes: SecretChange[] = [];
  const skipped: Array<{ secret: string; reason: string }> = [];
  const queued = { reconcile: 0, deleted: 0 };
  for (const secret of inScope) {
    const change = secret.deletedAt === undefined ? 'reconcile' : 'deleted';
    const result = SecretChangeSchema.safeParse({
      type: 'secret.changed',
      // The ARN may be near the id's length limit itself; its digest is not.
      id: `reconcile:${runAt}:${createHash('sha256').update(secret.arn).digest('hex').slice(0, 32)}`,
      secretArn: secret.arn,
      name: secret.name,
      change,
      occurredAt: runAt,
    });
    if (!result.success) {
      skipped.push({ secret: secret.name, reason: result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') });
      continue;
    }
    changes.push(result.data);
    queued[change] += 1;
  }
  if (changes.length > 0) await deps.queue.enqueue(changes);
  return { listed: inScope.length, queued, skipped };
}

function uniqueByArn(secrets: readonly ListedSecret[]): ListedSecret[] {
  return [...new Map(secrets.map((secret) => [secret.arn, secret])).values()];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
