import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SecretChangeQueue } from '../../core/ports';
import type { SecretChange } from '../../core/secrets/secret-change';
import { secretGroupOf } from '../../core/secrets/secret-group-of';
import { toSqsId } from './sqs-event-queue';

export interface SqsSecretChangeQueueProps {
  readonly client: SQSClient;
  /** URL of the secrets FIFO queue (its name ends in `.fifo`). */
  readonly queueUrl: string;
}

/** SQS allows 10 entries per SendMessageBatch. */
const BATCH_SIZE = 10;

/**
 * The secrets queue on SQS FIFO. The message group is the secret
 * (`secretGroupOf`), so changes of one secret are synced one after another;
 * the de-duplication id is the change id, so SQS drops a resend of the same
 * CloudTrail record or reconcile run within its 5-minute window. Both are
 * hashed when SQS would refuse them (over 128 characters, or characters
 * outside its set), as the event queue does.
 */
export class SqsSecretChangeQueue implements SecretChangeQueue {
  constructor(private readonly props: SqsSecretChangeQueueProps) {}

  async enqueue(changes: readonly SecretChange[]): Promise<void> {
    for (let start = 0; start < changes.length; start += BATCH_SIZE) {
      const batch = changes.slice(start, start + BATCH_SIZE);
      const result = await this.props.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.props.queueUrl,
          Entries: batch.map((change, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(change),
            MessageGroupId: toSqsId(secretGroupOf(change)),
            MessageDeduplicationId: toSqsId(change.id),
          })),
        }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) {
        const reasons = failed.map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`).join('; ');
        throw new Error(`SQS refused ${failed.length} of ${batch.length} secret changes (${reasons})`);
      }
    }
  }
}
