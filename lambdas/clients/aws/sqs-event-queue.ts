import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EventEnvelope } from '../../core/events';
import { orderingKeyOf } from '../../core/ordering-key-of';
import type { EventQueue } from '../../core/ports';

export interface SqsEventQueueProps {
  readonly client: SQSClient;
  /** URL of a FIFO queue (its name ends in `.fifo`). */
  readonly queueUrl: string;
}

/** SQS allows 10 entries per SendMessageBatch. */
const BATCH_SIZE = 10;
/** Group and de-duplication ids: at most 128 characters of SQS's allowed set. */
const SQS_ID_LIMIT = 128;
const SQS_ID_CHARS = /^[\x21-\x7e]+$/;

/** Uses `value` as an SQS id when it fits, its SHA-256 otherwise. */
export function toSqsId(value: string): string {
  if (value.length <= SQS_ID_LIMIT && SQS_ID_CHARS.test(value)) return value;
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The event queue on SQS FIFO. The message group is the event's ordering key,
 * so events of one source are processed in order; the de-duplication id is the
 * envelope id, so SQS drops a resend within its 5-minute window.
 */
export class SqsEventQueue implements EventQueue {
  constructor(private readonly props: SqsEventQueueProps) {}

  async enqueue(envelopes: readonly EventEnvelope[]): Promise<void> {
    for (let start = 0; start < envelopes.length; start += BATCH_SIZE) {
      const batch = envelopes.slice(start, start + BATCH_SIZE);
      const result = await this.props.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.props.queueUrl,
          Entries: batch.map((envelope, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(envelope),
            MessageGroupId: toSqsId(orderingKeyOf(envelope)),
            MessageDeduplicationId: toSqsId(envelope.id),
          })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        const reasons = failed.map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`).join('; ');
        throw new Error(`SQS refused ${failed.length} of ${batch.length} messages (${reasons})`);
      }
    }
  }
}
