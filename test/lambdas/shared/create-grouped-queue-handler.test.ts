import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localLambdaContext } from '../../../dev/lambda-context';
import type { DeadLetter } from '../../../lambdas/core/ports';
import { createGroupedQueueHandler } from '../../../lambdas/shared/create-grouped-queue-handler';
import { loadOnce } from '../../../lambdas/shared/load-once';
import { sqsRecord } from '../../support/sqs-records';

const record = (messageId: string, body: string, group: string): SQSRecord => sqsRecord(messageId, body, { group });

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

    // Every record is reported for redelivery: none is lost, none is called malformed.
    expect((await handler(event, localLambdaContext('grouped'))).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(processed).toEqual([]);
    expect(deadLettered).toEqual([]);

    const result = await handler(event, localLambdaContext('grouped'));
    expect(result.batchItemFailures).toEqual([]);
    expect(processed).toEqual([['a']]);
    expect(deadLettered.map((d) => d.id)).toEqual(['m2']);
    await handler(event, localLambdaContext('grouped'));
    expect(loads).toBe(2);
  });

  it('dead-letters the records with the reason on their last receive when the schema still cannot be loaded', async () => {
    const deadLettered: DeadLetter[] = [];
    const errors: Array<Record<string, unknown>> = [];
    const handler = createGroupedQueueHandler<z.infer<typeof ItemSchema>>({
      // A module that threw while it was evaluated: Node rejects every later import with the same error.
      bodySchema: async () => {
        throw new Error('ReferenceError: window is not defined');
      },
      idOf: (item) => item.id,
      process: async () => ({ failures: [] }),
      deadLetters: {
        deadLetter: async (entries) => {
          deadLettered.push(...entries);
        },
      },
      maxReceives: 3,
      log: { warn: () => undefined, error: (_message, ...extra) => errors.push(...extra) },
    });
    const last = sqsRecord('m2', '{"id":"b"}', { group: 'h', receives: 3 });
    const result = await handler({ Records: [record('m1', '{"id":"a"}', 'g'), last] }, localLambdaContext('grouped'));

    // Group g has receives left and is retried; group h is on its last one and leaves with the reason.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(deadLettered).toEqual([
      { id: 'm2', body: '{"id":"b"}', group: 'h', reason: 'could not load the message schema: ReferenceError: window is not defined' },
    ]);
    expect(errors.map((e) => e.group)).toEqual(['g', 'h']);
  });
});
