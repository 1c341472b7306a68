import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterSink } from '../../core/ports';
import { toSqsId } from './sqs-event-queue';

export interface SqsDeadLetterSinkProps {
  readonly client: SQSClient;
  /** URL of the dead-letter queue. */
  readonly queueUrl: string;
  /**
   * Whether it is a FIFO queue. A standard queue (the gates queue's) refuses
   * group and de-duplication ids, so none are sent to it.
   * @default true
   */
  readonly fifo?: boolean;
}

/** SQS allows 10 entries per SendMessageBatch, and message attribute values are kept short here. */
const BATCH_SIZE = 10;
const REASON_LIMIT = 1000;

/**
 * Moves envelopes that no retry can help straight to the dead-letter queue,
 * with the reason as the `hoist-reason` message attribute, instead of letting
 * them be received five times. Redriving them later replays them as usual.
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(private readonly props: SqsDeadLetterSinkProps) {}

  async deadLetter(entries: readonly DeadLetter[]): Promise<void> {
    for (let start = 0; start < entries.length; start += BATCH_SIZE) {
      const batch = entries.slice(start, start + BATCH_SIZE);
      const result = await this.props.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.props.queueUrl,
          Entries: batch.map(({ id, body, group, reason }, index) => ({
            Id: String(index),
            MessageBody: body,
            ...(this.props.fifo === false ? {} : { MessageGroupId: toSqsId(group), MessageDeduplicationId: toSqsId(`dead:${id}`) }),
            MessageAttributes: { 'hoist-reason': { DataType: 'String', StringValue: reason.slice(0, REASON_LIMIT) || 'unknown' } },
          })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) throw new Error(`SQS refused ${failed.length} dead-letter messages: ${failed.map((f) => f.Code ?? 'error').join(', ')}`);
    }
  }
}
