import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { imageEnvelope } from '../../support/envelopes';
import { createPromoterHandler } from '../../../lambdas/promoter/create-promoter-handler';
import { localLambdaContext } from '../../../dev/lambda-context';

/** An SQS FIFO record as Lambda's event source mapping delivers it. */
function record(messageId: string, body: string, group: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000000',
      MessageGroupId: group,
      MessageDeduplicationId: messageId,
      SequenceNumber: '1',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:hoist-events.fifo',
    awsRegion: 'eu-west-1',
  };
}

describe('promoter handler', () => {
  it('reports only the failed messages and the rest of their group; other groups go on', async () => {
    const seen: string[] = [];
    const handler = createPromoterHandler(async (e) => {
      if (e.deliveryId === 'evt-2') throw new Error('boom');
      seen.push(e.deliveryId);
    });
    const event: SQSEvent = {
      Records: [
        record('m1', JSON.stringify(imageEnvelope(1, 'a')), 'a'),
        record('m2', JSON.stringify(imageEnvelope(2, 'a')), 'a'),
        record('m3', JSON.stringify(imageEnvelope(3, 'a')), 'a'),
        record('m4', JSON.stringify(imageEnvelope(4, 'b')), 'b'),
        record('m5', '{"not":"an envelope"}', 'c'),
      ],
    };
    const result = await handler(event, localLambdaContext('promoter'));
    // m3 is held back so group "a" keeps its order; m5 fails its schema.
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m2', 'm3', 'm5']);
    expect(seen).toEqual(['evt-1', 'evt-4']);
  });
});
