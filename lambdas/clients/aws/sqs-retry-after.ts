import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS allows 10 entries per batch call. */
const BATCH_SIZE = 10;

/**
 * Makes received messages visible again after `seconds` (SQS
 * ChangeMessageVisibilityBatch), so a group that waits for something (a tag
 * not in its registry yet) is tried again soon rather than after the queue's
 * visibility timeout. FIFO queues have no per-message delay; this is how a
 * consumer backs off.
 */
export function sqsRetryAfter(client: SQSClient, queueUrl: string) {
  return async (receiptHandles: readonly string[], seconds: number): Promise<void> => {
    for (let start = 0; start < receiptHandles.length; start += BATCH_SIZE) {
      const batch = receiptHandles.slice(start, start + BATCH_SIZE);
      const result = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle, VisibilityTimeout: seconds })),
        }),
      );
      if ((result.Failed ?? []).length > 0) throw new Error(`SQS refused ${result.Failed?.length} visibility changes`);
    }
  };
}
