import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localLambdaContext } from '../../../dev/lambda-context';
import type { DeadLetter } from '../../../lambdas/core/ports';
import { createGroupedQueueHandler } from '../../../lambdas/shared/create-grouped-queue-handler';
import { loadOnce } from '../../../lambdas/shared/load-once';

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

const ItemSchema = z.object({ id: z.string().min(1) });

describe('grouped queue handler: the body schema loaded with the first batch', () => {
  it('fails the whole batch when the schema cannot be loaded, dead-letters nothing, and loads it again with the next batch', async () => {
    let loads = 0;
    const processed: string[][] = [];
    const deadLettered: DeadLetter[] = [];
    const handler = createGroupedQueueHandler<z.infer<typeof ItemSchema>>({
      bodySchema: loadOnce(async () => {
        loads += 1;
        if (loads === 1) throw new Error('Cannot find module ./chunk-ABC.mjs');
        return ItemSchema;
      }),
      idOf: (item) => item.id,
      process: async (items) => {
        processed.push(items.map((item) => item.id));
        return { failures: [] };
      },
      deadLetters: {
        deadLetter: async (entries) => {
          deadLettered.push(...entries);
        },
      },
      log: { warn: () => undefined, error: () => undefined },
    });
    const event: SQSEvent = { Records: [record('m1', '{"id":"a"}', 'g'), record('m2', '{"id":""}', 'g')] };

    // Lambda reports every record of a failed invocation for redelivery: none is lost, none is called malformed.
    await expect(handler(event, localLambdaContext('grouped'))).rejects.toThrowError('Cannot find module');
    expect(processed).toEqual([]);
    expect(deadLettered).toEqual([]);

    const result = await handler(event, localLambdaContext('grouped'));
    expect(result.batchItemFailures).toEqual([]);
    expect(processed).toEqual([['a']]);
    expect(deadLettered.map((d) => d.id)).toEqual(['m2']);
    await handler(event, localLambdaContext('grouped'));
    expect(loads).toBe(2);
  });
});
