import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsEventQueue, toSqsId } from '../../../../lambdas/clients/aws/sqs-event-queue';
import { imageEnvelope } from '../../../support/envelopes';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../../support/fake-aws-json-service';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-events.fifo';

/*
 * The fake follows SQS's documented SendMessageBatch (AWS JSON 1.0,
 * X-Amz-Target AmazonSQS.SendMessageBatch): at most 10 entries, each answered
 * in Successful (with the MD5 of its body, which the SDK checks) or Failed
 * by its Id; Failed entries carry Code, Message, SenderFault.
 */
describe('SqsEventQueue (real SQS client against a local SQS JSON-protocol fake)', () => {
  let fake: FakeAwsJsonService | undefined;
  afterEach(async () => fake?.close());

  const queueAgainst = (service: FakeAwsJsonService) =>
    new SqsEventQueue({
      client: new SQSClient({ endpoint: service.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      queueUrl: QUEUE_URL,
    });

  it('sends FIFO batches of at most 10 with group and de-duplication ids', async () => {
    fake = await startFakeAwsJsonService(({ body }) => {
      const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
      if (entries.length > 10) return { status: 400, errorType: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', message: 'too many' };
      return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
    });
    await queueAgainst(fake).enqueue(Array.from({ length: 12 }, (_, i) => imageEnvelope(i)));
    expect(fake.calls.map((c) => c.target)).toEqual(['AmazonSQS.SendMessageBatch', 'AmazonSQS.SendMessageBatch']);
    const entries = fake.calls.flatMap((c) => c.body.Entries as Array<Record<string, string>>);
    expect(entries).toHaveLength(12);
    expect(entries[0]).toMatchObject({
      MessageGroupId: 'image:123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
      MessageDeduplicationId: 'ecr:evt-0#0',
    });
    expect(JSON.parse(entries[11]?.MessageBody ?? '{}')).toEqual(imageEnvelope(11));
  });

  it('throws when SQS reports failed entries, so the delivery is not taken as queued', async () => {
    fake = await startFakeAwsJsonService(({ body }) => {
      const entries = body.Entries as Array<{ Id: string }>;
      return { body: { Successful: [], Failed: entries.map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false })) } };
    });
    await expect(queueAgainst(fake).enqueue([imageEnvelope(1)])).rejects.toThrowError('SQS refused 1 of 1 messages (InternalError: try again)');
  });

  it('hashes ids that SQS would refuse (over 128 characters or outside its character set)', () => {
    expect(toSqsId('image:ghcr.io/a/b')).toBe('image:ghcr.io/a/b');
    expect(toSqsId('x'.repeat(129))).toMatch(/^[0-9a-f]{64}$/);
    expect(toSqsId('gitlab:group/ünïcode')).toMatch(/^[0-9a-f]{64}$/);
  });
});
