import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type EventEnvelope, EventEnvelopeSchema } from '../core/events';
import { parseWith } from '../core/intake/intake-outcome';
import { logger } from '../shared/logger';

/** Promotes a set of envelopes together; throwing means none of them is done. */
export type PromoteEnvelopes = (envelopes: readonly EventEnvelope[]) => Promise<void>;

/** Parses one queue record into an envelope; a malformed one fails (and, after retries, reaches the DLQ). */
export function envelopeOf(record: SQSRecord): EventEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  return parseWith(EventEnvelopeSchema, body, `queue message ${record.messageId}`);
}

/**
 * The promoter function on the FIFO event queue. The whole batch is promoted
 * together first, so events for one repository become one commit. If that
 * fails, each message group is tried on its own, so one bad group does not
 * hold back the others; the failed group's messages (all of them, to keep
 * FIFO order) are reported as partial batch failures and come back later,
 * reaching the dead-letter queue after the queue's maxReceiveCount.
 */
export function createPromoterHandler(promote: PromoteEnvelopes) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const failures: SQSBatchItemFailure[] = [];
    const groups = new Map<string, Array<{ record: SQSRecord; envelope: EventEnvelope }>>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? record.messageId;
      try {
        const list = groups.get(group) ?? [];
        list.push({ record, envelope: envelopeOf(record) });
        groups.set(group, list);
      } catch (error) {
        logger.error('malformed queue message', { messageId: record.messageId, error: (error as Error).message });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    const all = [...groups.values()].flat();
    if (all.length === 0) return { batchItemFailures: failures };
    try {
      await promote(all.map((item) => item.envelope));
      return { batchItemFailures: failures };
    } catch (error) {
      if (groups.size === 1) {
        logger.error('promotion failed', { error: (error as Error).message, messages: all.length });
        return { batchItemFailures: [...failures, ...all.map((item) => ({ itemIdentifier: item.record.messageId }))] };
      }
      logger.warn('batch promotion failed; retrying each message group alone', { error: (error as Error).message });
    }
    for (const [group, items] of groups) {
      try {
        await promote(items.map((item) => item.envelope));
      } catch (error) {
        logger.error('promotion failed', { group, error: (error as Error).message });
        failures.push(...items.map((item) => ({ itemIdentifier: item.record.messageId })));
      }
    }
    return { batchItemFailures: failures };
  });
}
