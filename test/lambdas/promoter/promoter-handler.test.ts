import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { SqsDeadLetterSink } from '../../../lambdas/clients/aws/sqs-dead-letter-sink';
import type { EventEnvelope } from '../../../lambdas/core/events';
import { createPromoterHandler, type GroupOutcome } from '../../../lambdas/promoter/create-promoter-handler';
import { RetryLaterError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { imageEnvelope } from '../../support/envelopes';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../support/fake-aws-json-service';
import { sqsRecord } from '../../support/sqs-records';

const record = (messageId: string, body: string, group: string): SQSRecord => sqsRecord(messageId, body, { group });

const envelope = (n: number) => JSON.stringify(imageEnvelope(n, 'team/api'));
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-events-dlq.fifo';
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/*
 * The dead-letter queue is a local fake of SQS's documented SendMessageBatch
 * (AWS JSON 1.0): each entry answered in Successful with the MD5 of its body,
 * or, when `refuse` is set, every entry in Failed with Code and SenderFault.
 */
async function startDeadLetterQueue(refuse = false): Promise<FakeAwsJsonService> {
  return startFakeAwsJsonService(({ body }) => {
    const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
    if (refuse) return { body: { Successful: [], Failed: entries.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })) } };
    return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `d-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
  });
}

function handlerWith(dlq: FakeAwsJsonService, promote: (envelopes: readonly EventEnvelope[]) => Promise<GroupOutcome>) {
  const calls: string[][] = [];
  const delayed: Array<{ handles: readonly string[]; seconds: number }> = [];
  const handler = createPromoterHandler({
    retryAfter: async (handles, seconds) => {
      delayed.push({ handles, seconds });
    },
    promote: async (envelopes) => {
      calls.push(envelopes.map((e) => e.deliveryId));
      return promote(envelopes);
    },
    deadLetters: new SqsDeadLetterSink({
      client: new SQSClient({ endpoint: dlq.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      queueUrl: DLQ_URL,
    }),
    log: { warn: () => undefined, error: () => undefined },
  });
  return { handler, calls, delayed };
}

const deadLettered = (dlq: FakeAwsJsonService) =>
  dlq.calls.flatMap((c) =>
    (c.body.Entries as Array<{ MessageBody: string; MessageGroupId: string; MessageAttributes: Record<string, { StringValue: string }> }>).map((e) => ({
      body: e.MessageBody,
      group: e.MessageGroupId,
      reason: e.MessageAttributes['hoist-reason']?.StringValue,
    })),
  );

describe('promoter handler: FIFO groups, retries and the dead-letter queue', () => {
  let dlq: FakeAwsJsonService | undefined;
  afterEach(async () => dlq?.close());

  it("promotes each message group's records together, one call per group, in order", async () => {
    dlq = await startDeadLetterQueue();
    const { handler, calls } = handlerWith(dlq, async () => ({ failures: [] }));
    const event: SQSEvent = {
      Records: [record('m1', envelope(1), 'a'), record('m3', envelope(3), 'b'), record('m2', envelope(2), 'a')],
    };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(calls).toEqual([['evt-1', 'evt-2'], ['evt-3']]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('reports every record of a group whose promotion fails for now, and only that group', async () => {
    dlq = await startDeadLetterQueue();
    const { handler } = handlerWith(dlq, async (envelopes) => {
      if (envelopes.some((e) => e.deliveryId === 'evt-1')) throw new UnavailableError('GitHub answered 502');
      return { failures: [] };
    });
    const event: SQSEvent = {
      Records: [record('m1', envelope(1), 'a'), record('m2', envelope(2), 'a'), record('m3', envelope(3), 'b')],
    };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(dlq.calls).toEqual([]);
  });

  it('moves a malformed record to the dead-letter queue with its reason before the rest of its group runs', async () => {
    dlq = await startDeadLetterQueue();
    const { handler, calls } = handlerWith(dlq, async () => ({ failures: [] }));
    const event: SQSEvent = { Records: [record('m1', '{"not":"an envelope"}', 'a'), record('m2', envelope(2), 'a')] };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual([['evt-2']]);
    expect(deadLettered(dlq)).toEqual([{ body: '{"not":"an envelope"}', group: 'a', reason: expect.stringMatching(/^queue message m1: id: /) }]);
  });

  it('keeps the malformed record and every later one of its group for redelivery when the dead-letter queue refuses it', async () => {
    dlq = await startDeadLetterQueue(true);
    const { handler, calls } = handlerWith(dlq, async () => ({ failures: [] }));
    const event: SQSEvent = {
      Records: [record('m0', envelope(0), 'a'), record('m1', 'not json', 'a'), record('m2', envelope(2), 'a'), record('m3', envelope(3), 'b')],
    };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(calls).toEqual([['evt-3']]);
  });

  it('brings a waiting group back after the retry delay, keeping every record of it for redelivery', async () => {
    dlq = await startDeadLetterQueue();
    const { handler, delayed } = handlerWith(dlq, async () => {
      throw new RetryLaterError('waiting for registry.gitlab.com/acme/api:1a2b3c4d to appear in the registry', 60);
    });
    const event: SQSEvent = { Records: [record('m1', envelope(1), 'a'), record('m2', envelope(2), 'a')] };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    expect(delayed).toEqual([{ handles: ['rh-m1', 'rh-m2'], seconds: 60 }]);
    expect(dlq.calls).toEqual([]);
  });

  it('dead-letters a whole group at once on a terminal error instead of retrying it five times', async () => {
    dlq = await startDeadLetterQueue();
    const { handler } = handlerWith(dlq, async () => {
      throw new TerminalError("repository 'gitops': GitHub answered 403 Resource not accessible by integration");
    });
    const event: SQSEvent = { Records: [record('m1', envelope(1), 'a'), record('m2', envelope(2), 'a')] };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLettered(dlq).map((d) => [JSON.parse(d.body).deliveryId, d.reason])).toEqual([
      ['evt-1', "repository 'gitops': GitHub answered 403 Resource not accessible by integration"],
      ['evt-2', "repository 'gitops': GitHub answered 403 Resource not accessible by integration"],
    ]);
  });

  it('dead-letters just the envelopes whose targets failed for good, with their reasons', async () => {
    dlq = await startDeadLetterQueue();
    const { handler } = handlerWith(dlq, async (envelopes) => ({
      failures: [{ reason: 'apps/api/dev/values.yaml: not valid YAML: …', envelopeIds: [envelopes[1]?.id ?? ''] }],
    }));
    const event: SQSEvent = { Records: [record('m1', envelope(1), 'a'), record('m2', envelope(2), 'a')] };
    const result = await handler(event, localLambdaContext('promoter'));
    expect(result.batchItemFailures).toEqual([]);
    expect(deadLettered(dlq).map((d) => [JSON.parse(d.body).deliveryId, d.reason])).toEqual([['evt-2', 'apps/api/dev/values.yaml: not valid YAML: …']]);
  });
});
