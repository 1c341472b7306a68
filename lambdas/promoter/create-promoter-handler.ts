import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EventEnvelope, EventEnvelopeSchema } from '../core/events';
import { parseWith } from '../core/intake/intake-outcome';
import type { DeadLetterSink, WarningLog } from '../core/ports';
import { RetryLaterError, TerminalError } from '../shared/errors';

/** What promoting a group of envelopes left for a person: envelopes whose targets failed for good. */
export interface GroupOutcome {
  readonly failures: ReadonlyArray<{ readonly reason: string; readonly envelopeIds: readonly string[] }>;
}

export interface PromoterHandlerDeps {
  /** Promotes the envelopes of one message group together; throwing means none of them is done. */
  readonly promote: (envelopes: readonly EventEnvelope[]) => Promise<GroupOutcome>;
  readonly deadLetters: DeadLetterSink;
  /** Makes records visible again after `seconds` instead of the queue's visibility timeout (SQS ChangeMessageVisibility). */
  readonly retryAfter?: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  readonly log: WarningLog & { error(message: string, ...extra: Array<Record<string, unknown>>): void };
}

/** Parses one queue record into an envelope; a malformed one is a TerminalError (no retry parses it). */
export function envelopeOf(record: SQSRecord): EventEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new TerminalError(`queue message ${record.messageId}: body is not JSON`);
  }
  try {
    return parseWith(EventEnvelopeSchema, body, `queue message ${record.messageId}`);
  } catch (error) {
    throw new TerminalError((error as Error).message, { cause: error });
  }
}

interface Item {
  readonly record: SQSRecord;
  readonly envelope: EventEnvelope;
}

/**
 * The promoter function on the FIFO event queue. Records are taken per
 * message group (one GitOps branch), in order, and each group's envelopes are
 * promoted together, so one batch for a branch is one commit. The answer keeps
 * FIFO order and loses nothing:
 * - a retryable failure reports every record of the group as a batch item
 *   failure, so none overtakes another; SQS redelivers them, and after
 *   maxReceiveCount moves them to the dead-letter queue;
 * - a terminal failure (a malformed message, bad config, a host's permanent
 *   refusal, a target file that needs a person) is recorded and told by the
 *   core, and its envelopes go straight to the dead-letter queue with the
 *   reason; only if that fails are they reported for redelivery.
 * Powertools' SqsFifoPartialProcessor handles records one at a time; this
 * handler needs a group's records together to make one commit of them.
 */
export function createPromoterHandler(deps: PromoterHandlerDeps) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const failures: SQSBatchItemFailure[] = [];
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      groups.set(group, [...(groups.get(group) ?? []), record]);
    }
    for (const [group, records] of groups) {
      failures.push(...(await handleGroup(group, records, deps)));
    }
    return { batchItemFailures: failures };
  });
}

async function handleGroup(group: string, records: readonly SQSRecord[], deps: PromoterHandlerDeps): Promise<SQSBatchItemFailure[]> {
  const failAll = (list: readonly SQSRecord[]) => list.map((r) => ({ itemIdentifier: r.messageId }));
  const items: Item[] = [];
  for (const [index, record] of records.entries()) {
    try {
      items.push({ record, envelope: envelopeOf(record) });
    } catch (error) {
      const reason = (error as Error).message;
      deps.log.error('malformed queue message; dead-lettering it', { messageId: record.messageId, reason });
      // Kept in the group's order: the message leaves the queue before anything after it runs.
      const moved = await deadLetter([{ id: record.messageId, record, reason }], group, deps);
      if (!moved) return [...failAll(items.map((i) => i.record)), ...failAll(records.slice(index))];
    }
  }
  if (items.length === 0) return [];
  let outcome: GroupOutcome;
  try {
    outcome = await deps.promote(items.map((i) => i.envelope));
  } catch (error) {
    const reason = (error as Error).message;
    if (error instanceof TerminalError) {
      deps.log.error('promotion failed for good; dead-lettering the group', { group, reason, messages: items.length });
      const moved = await deadLetter(
        items.map((i) => ({ id: i.envelope.id, record: i.record, reason })),
        group,
        deps,
      );
      return moved ? [] : failAll(items.map((i) => i.record));
    }
    if (error instanceof RetryLaterError && deps.retryAfter !== undefined) {
      // Not a failure: come back sooner than the visibility timeout. The group stays in order behind it.
      await deps
        .retryAfter(
          items.map((i) => i.record.receiptHandle),
          error.retryAfterSeconds,
        )
        .catch((visibilityError: unknown) => deps.log.warn('could not shorten the retry delay', { group, error: (visibilityError as Error).message }));
      deps.log.warn('promotion waits; the group will be retried', { group, reason, retryAfterSeconds: error.retryAfterSeconds });
      return failAll(items.map((i) => i.record));
    }
    deps.log.error('promotion failed; the group will be retried', { group, reason, messages: items.length });
    return failAll(items.map((i) => i.record));
  }
  if (outcome.failures.length === 0) return [];
  const reasons = new Map<string, string[]>();
  for (const failure of outcome.failures) {
    for (const id of failure.envelopeIds) reasons.set(id, [...(reasons.get(id) ?? []), failure.reason]);
  }
  const failed = items.filter((i) => reasons.has(i.envelope.id));
  const moved = await deadLetter(
    failed.map((i) => ({ id: i.envelope.id, record: i.record, reason: (reasons.get(i.envelope.id) ?? []).join('; ') })),
    group,
    deps,
  );
  return moved ? [] : failAll(failed.map((i) => i.record));
}

async function deadLetter(
  entries: ReadonlyArray<{ readonly id: string; readonly record: SQSRecord; readonly reason: string }>,
  group: string,
  deps: PromoterHandlerDeps,
): Promise<boolean> {
  if (entries.length === 0) return true;
  try {
    await deps.deadLetters.deadLetter(entries.map((e) => ({ id: e.id, body: e.record.body, group, reason: e.reason })));
    return true;
  } catch (error) {
    deps.log.error('could not dead-letter; the messages will be retried', { group, error: (error as Error).message });
    return false;
  }
}
