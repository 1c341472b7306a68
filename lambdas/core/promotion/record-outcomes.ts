import type { EventEnvelope } from '../events';
import type { PromotionOutcome, PromotionOutcomeStore } from '../ports';
import type { AnnouncedChange } from './announce';
import type { FailedTarget, NoOp } from './plan-promotions';

const RANK: Record<PromotionOutcome['status'], number> = { queued: 0, waiting: 1, noop: 2, promoted: 3, failed: 4 };

/**
 * Records, for each `POST /promotions` request in a batch, what became of it,
 * so the CI job that asked can poll `GET /promotions/{id}`. A request routed
 * to several branches is one outcome: each branch adds its changes and
 * reasons, and the status is the most telling of them (failed over promoted
 * over no-op).
 */
export async function recordOutcomes(
  envelopes: readonly EventEnvelope[],
  result: { readonly applied: readonly AnnouncedChange[]; readonly noops: readonly NoOp[]; readonly failures: readonly FailedTarget[] },
  store: PromotionOutcomeStore,
  now: Date,
): Promise<void> {
  for (const envelope of envelopes) {
    if (envelope.event.type !== 'promotion.requested') continue;
    const mine = (ids: readonly string[]) => ids.includes(envelope.id);
    const changes = result.applied
      .filter((a) => a.change.promotions.some((p) => mine(p.envelopeIds)))
      .map((a) => ({
        repository: a.change.repository,
        branch: a.change.branch,
        commit: a.commit,
        ...(a.pullRequest ? { url: a.pullRequest.url } : a.commitUrl ? { url: a.commitUrl } : {}),
      }));
    const failures = result.failures.filter((f) => mine(f.envelopeIds)).map((f) => f.reason);
    const noops = result.noops.filter((n) => mine(n.envelopeIds)).map((n) => (n.environment ? `${n.environment}: ${n.reason}` : n.reason));
    const status: PromotionOutcome['status'] = failures.length > 0 ? 'failed' : changes.length > 0 ? 'promoted' : 'noop';
    await onePerId(envelope.deliveryId, async () => {
      const previous = await store.get(envelope.deliveryId);
      const merged: PromotionOutcome = {
        id: envelope.deliveryId,
        status: previous !== undefined && RANK[previous.status] > RANK[status] ? previous.status : status,
        updatedAt: now.toISOString(),
        changes: [...(previous?.changes ?? []).filter((c) => !changes.some((n) => n.commit === c.commit)), ...changes],
        reasons: [...new Set([...(previous?.reasons ?? []), ...failures, ...noops])],
      };
      await store.put(merged);
    });
  }
}

/** Outcome updates under way in this process, per request id (an entry lives as long as its update). */
const updating = new Map<string, Promise<void>>();

/**
 * Runs the read-merge-write of one request's outcome after any other one for
 * the same id in this process: the branches of one request finish together
 * when their commits share a push, and two interleaved updates would each
 * write what they read before the other, losing a branch's changes.
 */
async function onePerId(id: string, update: () => Promise<void>): Promise<void> {
  const next = (updating.get(id) ?? Promise.resolve()).then(update, update);
  updating.set(id, next);
  try {
    await next;
  } finally {
    if (updating.get(id) === next) updating.delete(id);
  }
}
