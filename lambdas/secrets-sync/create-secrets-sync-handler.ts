import type { DeadLetterSink, WarningLog } from '../core/ports';
import type { SecretChange } from '../core/secrets/secret-change';
import { createGroupedQueueHandler, type GroupOutcome } from '../shared/create-grouped-queue-handler';
import { loadOnce } from '../shared/load-once';

export interface SecretsSyncHandlerDeps {
  /** Syncs the changes of a batch (several secrets, each in order) together; throwing means none of them is done. */
  readonly sync: (changes: readonly SecretChange[]) => Promise<GroupOutcome>;
  readonly deadLetters: DeadLetterSink;
  /** The queue's maxReceiveCount: the last failed attempt is dead-lettered with its reason. */
  readonly maxReceives: number;
  readonly log: WarningLog & { error(message: string, ...extra: Array<Record<string, unknown>>): void };
}

/**
 * The secrets-sync function on the secrets queue: one message group is one
 * secret, so its changes are synced in order; a batch's secrets are synced
 * together, so the manifests they touch change in one commit. A change that no retry can help
 * (a conflict in Vault, a value that cannot sync) goes to the dead-letter
 * queue with its reason at once; an unreachable Vault or host is retried and,
 * on the last receive, dead-lettered with the reason too.
 */
export function createSecretsSyncHandler(deps: SecretsSyncHandlerDeps) {
  return createGroupedQueueHandler<SecretChange>({
    // The schema, and zod's classic API with it, load with the first batch.
    bodySchema: loadOnce(async () => (await import('../core/secrets/secret-change')).SecretChangeSchema),
    idOf: (change) => change.id,
    process: deps.sync,
    deadLetters: deps.deadLetters,
    maxReceives: deps.maxReceives,
    // The secrets of one batch are synced together, so their manifests land in one commit; each secret keeps its order.
    togetherKeyOf: () => 'batch',
    log: deps.log,
  });
}
