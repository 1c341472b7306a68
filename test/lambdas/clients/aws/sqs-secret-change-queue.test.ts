import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsSecretChangeQueue } from '../../../../lambdas/clients/aws/sqs-secret-change-queue';
import type { SecretChange } from '../../../../lambdas/core/secrets/secret-change';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../../support/fake-aws-json-service';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-secrets.fifo';
const arn = (i: number) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/s${i}/dev-AbC123`;
const change = (i: number): SecretChange => ({
  type: 'secret.changed',
  id: `cloudtrail:event-${i}`,
  secretArn: arn(i),
  name: `hoist/apps/s${i}/dev`,
  versionId: `v-${i}`,
  change: 'updated',
  occurredAt: '2026-11-23T09:05:12Z',
});

/* The fake follows SQS's documented SendMessageBatch, as in sqs-event-queue.test.ts. */
describe('SqsSecretChangeQueue (real SQS client against a local SQS JSON-protocol fake)', () => {
  let fake: FakeAwsJsonService | undefined;
  afterEach(async () => fake?.close());

  const accept = () =>
    startFakeAwsJsonService(({ body }) => {
      const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
      if (entries.length > 10) return { status: 400, errorType: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', message: 'too many' };
      return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
    });
  const queueAgainst = (service: FakeAwsJsonService) =>
    new SqsSecretChangeQueue({
      client: new SQSClient({ endpoint: service.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      queueUrl: QUEUE_URL,
    });

  it('sends batches of at most 10, grouped per secret and de-duplicated by change id', async () => {
    fake = await accept();
    await queueAgainst(fake).enqueue(Array.from({ length: 11 }, (_, i) => change(i)));
    expect(fake.calls.map((c) => c.target)).toEqual(['AmazonSQS.SendMessageBatch', 'AmazonSQS.SendMessageBatch']);
    const entries = fake.calls.flatMap((c) => c.body.Entries as Array<Record<string, string>>);
    expect(entries).toHaveLength(11);
    expect(entries[0]).toMatchObject({ MessageGroupId: `secret:${arn(0)}`, MessageDeduplicationId: 'cloudtrail:event-0' });
    expect(JSON.parse(entries[10]?.MessageBody ?? '{}')).toEqual(change(10));
  });

  it('hashes a group or de-duplication id SQS would refuse', async () => {
    fake = await accept();
    const long = {
      ...change(1),
      secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:hoist/apps/${'x'.repeat(120)}-AbC123`,
      id: `reconcile:2026-11-23T11:00:00.000Z:${'y'.repeat(120)}`,
    };
    await queueAgainst(fake).enqueue([long]);
    const [entry] = fake.calls.flatMap((c) => c.body.Entries as Array<Record<string, string>>);
    expect(entry?.MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
    expect(entry?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws when SQS reports failed entries, so the change is not taken as queued', async () => {
    fake = await startFakeAwsJsonService(({ body }) => {
      const entries = body.Entries as Array<{ Id: string }>;
      return { body: { Successful: [], Failed: entries.map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'try again', SenderFault: false })) } };
    });
    await expect(queueAgainst(fake).enqueue([change(1)])).rejects.toThrowError('SQS refused 1 of 1 secret changes (InternalError: try again)');
  });
});
