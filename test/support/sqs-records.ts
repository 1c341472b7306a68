import { createHash } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';

export interface SqsRecordOptions {
  /** The message group of a FIFO queue; without it the record comes from a standard queue (no group, no sequence number). */
  readonly group?: string;
  /** ApproximateReceiveCount. @default 1 */
  readonly receives?: number;
  /** The queue's name in the event source ARN. @default hoist-events.fifo with a group, hoist-gates without */
  readonly queue?: string;
}

/** An SQS record as Lambda's event source mapping delivers it (the fields of AWS's documented SQS event). */
export function sqsRecord(messageId: string, body: string, options: SqsRecordOptions = {}): SQSRecord {
  const { group, receives = 1 } = options;
  const queue = options.queue ?? (group === undefined ? 'hoist-gates' : 'hoist-events.fifo');
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receives),
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000000',
      ...(group === undefined ? {} : { MessageGroupId: group, MessageDeduplicationId: messageId, SequenceNumber: '1' }),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
    awsRegion: 'eu-west-1',
  };
}
