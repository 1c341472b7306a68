import type { EventEnvelope } from '../core/events';
import type { DeadLetterSink, WarningLog } from '../core/ports';
import { createGroupedQueueHandler, type GroupOutcome } from '../shared/create-grouped-queue-handler';
import { loadOnce } from '../shared/load-once';

export type { GroupOutcome };

export interface PromoterHandlerDeps {
  /** Promotes the envelopes of one message group together; throwing means none of them is done. */
  readonly promote: (envelopes: readonly EventEnvelope[]) => Promise<GroupOutcome>;
  readonly deadLetters: DeadLetterSink;
  /** Makes records visible again after `seconds` instead of the queue's visibility timeout (SQS ChangeMessageVisibility). */
  readonly retryAfter?: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  readonly log: WarningLog & { error(message: string, ...extra: Array<Record<string, unknown>>): void };
}

/**
 * The promoter function on the FIFO event queue: one message group is one
 * GitOps branch, and its envelopes are promoted together, so one batch for a
 * branch is one commit (see createGroupedQueueHandler for the failure rules).
 */
export function createPromoterHandler(deps: PromoterHandlerDeps) {
  return createGroupedQueueHandler<EventEnvelope>({
    // The envelope schema, and zod's classic API with it, load with the first batch, as the engine does.
    bodySchema: loadOnce(async () => (await import('../core/events')).EventEnvelopeSchema),
    idOf: (envelope) => envelope.id,
    process: deps.promote,
    deadLetters: deps.deadLetters,
    ...(deps.retryAfter ? { retryAfter: deps.retryAfter } : {}),
    log: deps.log,
  });
}
