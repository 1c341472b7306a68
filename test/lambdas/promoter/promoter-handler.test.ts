import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import type { EventEnvelope } from '../../../lambdas/core/events';
import { createPromoterHandler } from '../../../lambdas/promoter/create-promoter-handler';
import { imageEnvelope } from '../../support/envelopes';

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

const batch = (): SQSEvent => ({
  Records: [
    record('m1', JSON.stringify(imageEnvelope(1, 'a')), 'a'),
    record('m2', JSON.stringify(imageEnvelope(2, 'a')), 'a'),
    record('m3', JSON.stringify(imageEnvelope(3, 'b')), 'b'),
    record('m4', '{"not":"an envelope"}', 'c'),
  ],
});

describe('promoter handler', () => {
  it('promotes the valid messages of a batch together and fails only the malformed one', async () => {
    const calls: string[][] = [];
    const handler = createPromoterHandler(async (envelopes: readonly EventEnvelope[]) => {
      calls.push(envelopes.map((e) => e.deliveryId));
    });
    const result = await handler(batch(), localLambdaContext('promoter'));
    expect(calls).toEqual([['evt-1', 'evt-2', 'evt-3']]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm4' }]);
  });

  it('when the batch fails, retries each group alone and reports every message of the failing group', async () => {
    const calls: string[][] = [];
    const handler = createPromoterHandler(async (envelopes) => {
      calls.push(envelopes.map((e) => e.deliveryId));
      if (envelopes.some((e) => e.deliveryId === 'evt-2')) throw new Error('boom');
    });
    const result = await handler(batch(), localLambdaContext('promoter'));
    expect(calls).toEqual([['evt-1', 'evt-2', 'evt-3'], ['evt-1', 'evt-2'], ['evt-3']]);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm2', 'm4']);
  });
});
