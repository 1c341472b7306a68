import type { SQSRecord } from 'aws-lambda';
import { type EventEnvelope, EventEnvelopeSchema } from '../core/events';
import type { DeadLetterSink, WarningLog } from '../core/ports';
import { createGroupedQueueHandler, type GroupOutcome, recordBodyOf } from '../shared/create-grouped-queue-handler';

export type { GroupOutcome };

export interface PromoterHandlerDeps {
  /** Promotes the envelopes of one message group together; throwing means none of them is done. */
  readonly promote: (envelopes: readonly EventEnvelope[]) => Promise<GroupOutcome>;
  readonly deadLetters: DeadLetterSink;
  /** Makes records visible again after `seconds` instead of the queue's visibility timeout (SQS ChangeMessageVisibility). */
  readonly retryAfter?: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  readonly log: WarningLog & { error(message: string, ...extra: Array<Record<string, unknown>>): void };
}

/** Parses one queue record into an envelope; a malformed one is a TerminalError (no retry parses it). */
export const envelopeOf = (record: SQSRecord): EventEnvelope => recordBodyOf(EventEnvelopeSchema, record);

/**
 * The promoter function on the FIFO event queue: one message group is one
 * GitOps branch, and its envelopes are promoted together, so one batch for a
 * branch is one commit (see createGroupedQueueHandler for the failure rules).
 */
export function createPromoterHandler(deps: PromoterHandlerDeps) {
  return createGroupedQueueHandler<EventEnvelope>({
    parse: envelopeOf,
    idOf: (envelope) => envelope.id,
    process: deps.promote,
    deadLetters: deps.deadLetters,
    ...(deps.retryAfter ? { retryAfter: deps.retryAfter } : {}),
    log: deps.log,
  });
}
