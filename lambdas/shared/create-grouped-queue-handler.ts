import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { parseWith } from '../core/intake/intake-outcome';
import type { DeadLetterSink, WarningLog } from '../core/ports';
import { RetryLaterError, TerminalError } from './errors';

/** What handling a group of messages left for a person: items that failed for good, by id. */
export interface GroupOutcome {
  readonly failures: ReadonlyArray<{ readonly reason: string; readonly envelopeIds: readonly string[] }>;
}

export interface GroupedQueueDeps<T> {
  /**
   * The schema of a record's JSON body, loaded with the first batch and kept
   * (see loadOnce): a record that does not fit is a TerminalError, as no
   * retry parses it. Building zod's classic schemas, and loading zod, is left
   * out of the cold start; a load that fails reports every record of the
   * batch for redelivery (dead-lettered with the reason on the last receive,
   * see `maxReceives`) and is tried again with the next batch.
   */
  readonly bodySchema: () => Promise<z.ZodType<T>>;
  /** The item's stable id, as `GroupOutcome.failures` names it. */
  readonly idOf: (item: T) => string;
  /** Handles the items of one message group together; throwing means none of them is done. */
  readonly process: (items: readonly T[]) => Promise<GroupOutcome>;
  readonly deadLetters: DeadLetterSink;
  /** Makes records visible again after `seconds` instead of the queue's visibility timeout (SQS ChangeMessageVisibility). */
  readonly retryAfter?: (receiptHandles: readonly string[], seconds: number) => Promise<void>;
  /**
   * The queue's maxReceiveCount. On the last receive a retryable failure is
   * dead-lettered here, with its reason, instead of by the queue's redrive
   * (which keeps no reason). @default none: the redrive does it
   */
  readonly maxReceives?: number;
  /**
   * Which records are handled together. @default the record's message group:
   * the items of one group, in order. Records of other groups may share a
   * call when the work they imply meets in one place (one commit), as long as
   * each group keeps its order; dead letters keep their own group.
   */
  readonly togetherKeyOf?: (record: SQSRecord) => string;
  readonly log: WarningLog & { error(message: string, ...extra: Array<Record<string, unknown>>): void };
}

/**
 * A consumer of a FIFO queue. Records are taken per message group, in
 * order, and each group's items are handled together (one commit for a
 * branch's events). The answer keeps FIFO order and loses nothing:
 * - a retryable failure reports every record of the group as a batch item
 *   failure, so none overtakes another; SQS redelivers them, and after
 *   maxReceiveCount they go to the dead-letter queue, here with the reason
 *   when `maxReceives` is given;
 * - a terminal failure (a malformed message, bad config, a host's permanent
 *   refusal, a target file that needs a person) is recorded and told by the
 *   core, and its items go straight to the dead-letter queue with the
 *   reason; only if that fails are they reported for redelivery.
 * Powertools' SqsFifoPartialProcessor handles records one at a time; this
 * handler needs a group's records together.
 */
export function createGroupedQueueHandler<T>(deps: GroupedQueueDeps<T>) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const failures: SQSBatchItemFailure[] = [];
    const groups = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = deps.togetherKeyOf?.(record) ?? groupOf(record);
      groups.set(group, [...(groups.get(group) ?? []), record]);
    }
    let schema: z.ZodType<T>;
    try {
      schema = await deps.bodySchema();
    } catch (error) {
      for (const [group, records] of groups) failures.push(...(await unreadGroup(group, records, (error as Error).message, deps)));
      return { batchItemFailures: failures };
    }
    const parse = (record: SQSRecord): T => recordBodyOf(schema, record);
    for (const [group, records] of groups) {
      failures.push(...(await handleGroup(group, records, parse, deps)));
    }
    return { batchItemFailures: failures };
  });
}

/**
 * A group whose records could not be read because the schema did not load:
 * every record is retried, and on the last receive (`maxReceives`) they are
 * dead-lettered with the reason rather than by the queue's redrive, which
 * keeps none. A module that threw while it was evaluated keeps failing for
 * the life of the instance (Node keeps the error), so this is where it ends.
 */
async function unreadGroup<T>(group: string, records: readonly SQSRecord[], reason: string, deps: GroupedQueueDeps<T>): Promise<SQSBatchItemFailure[]> {
  const lastReceive = onLastReceive(records, deps.maxReceives);
  deps.log.error(
    lastReceive
      ? 'could not load the message schema on the last attempt; dead-lettering the group'
      : 'could not load the message schema; the group will be retried',
    {
      group,
      reason,
      messages: records.length,
    },
  );
  if (!lastReceive) return failAll(records);
  const moved = await deadLetter(
    records.map((record) => ({ id: record.messageId, record, reason: `could not load the message schema: ${reason}` })),
    group,
    deps,
  );
  return moved ? [] : failAll(records);
}

interface Item<T> {
  readonly record: SQSRecord;
  readonly item: T;
}

const groupOf = (record: SQSRecord): string => record.attributes.MessageGroupId ?? record.messageId;

const failAll = (list: readonly SQSRecord[]): SQSBatchItemFailure[] => list.map((r) => ({ itemIdentifier: r.messageId }));

/** Whether any of `records` is on its last receive, when the queue's maxReceiveCount is known. */
const onLastReceive = (records: readonly SQSRecord[], maxReceives: number | undefined): boolean =>
  maxReceives !== undefined && records.some((r) => Number(r.attributes.ApproximateReceiveCount ?? '1') >= maxReceives);

async function handleGroup<T>(
  group: string,
  records: readonly SQSRecord[],
  parse: (record: SQSRecord) => T,
  deps: GroupedQueueDeps<T>,
): Promise<SQSBatchItemFailure[]> {
  const items: Array<Item<T>> = [];
  for (const [index, record] of records.entries()) {
    try {
      items.push({ record, item: parse(record) });
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
    outcome = await deps.process(items.map((i) => i.item));
  } catch (error) {
    const reason = (error as Error).message;
    const lastReceive = onLastReceive(
      items.map((i) => i.record),
      deps.maxReceives,
    );
    if (error instanceof TerminalError || lastReceive) {
      deps.log.error(lastReceive ? 'failed on the last attempt; dead-lettering the group' : 'failed for good; dead-lettering the group', {
        group,
        reason,
        messages: items.length,
      });
      const moved = await deadLetter(
        items.map((i) => ({ id: deps.idOf(i.item), record: i.record, reason })),
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
      deps.log.warn('waiting; the group will be retried', { group, reason, retryAfterSeconds: error.retryAfterSeconds });
      return failAll(items.map((i) => i.record));
    }
    deps.log.error('failed; the group will be retried', { group, reason, messages: items.length });
    return failAll(items.map((i) => i.record));
  }
  if (outcome.failures.length === 0) return [];
  const reasons = new Map<string, string[]>();
  for (const failure of outcome.failures) {
    for (const id of failure.envelopeIds) reasons.set(id, [...(reasons.get(id) ?? []), failure.reason]);
  }
  const failed = items.filter((i) => reasons.has(deps.idOf(i.item)));
  const moved = await deadLetter(
    failed.map((i) => ({ id: deps.idOf(i.item), record: i.record, reason: (reasons.get(deps.idOf(i.item)) ?? []).join('; ') })),
    group,
    deps,
  );
  return moved ? [] : failAll(failed.map((i) => i.record));
}

async function deadLetter<T>(
  entries: ReadonlyArray<{ readonly id: string; readonly record: SQSRecord; readonly reason: string }>,
  group: string,
  deps: GroupedQueueDeps<T>,
): Promise<boolean> {
  if (entries.length === 0) return true;
  try {
    await deps.deadLetters.deadLetter(entries.map((e) => ({ id: e.id, body: e.record.body, group: groupOf(e.record), reason: e.reason })));
    return true;
  } catch (error) {
    deps.log.error('could not dead-letter; the messages will be retried', { group, error: (error as Error).message });
    return false;
  }
}

/**
 * Parses one queue record's body with `schema`; a body that is not JSON or
 * does not fit is a TerminalError (no retry parses it), naming the message.
 */
export function recordBodyOf<T>(schema: z.ZodType<T>, record: SQSRecord): T {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new TerminalError(`queue message ${record.messageId}: body is not JSON`);
  }
  try {
    return parseWith(schema, body, `queue message ${record.messageId}`);
  } catch (error) {
    throw new TerminalError((error as Error).message, { cause: error });
  }
}
