import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { SqsDeadLetterSink } from '../../../lambdas/clients/aws/sqs-dead-letter-sink';
import { toSqsId } from '../../../lambdas/clients/aws/sqs-event-queue';
import type { SecretChange } from '../../../lambdas/core/secrets/secret-change';
import { createSecretsSyncHandler } from '../../../lambdas/secrets-sync/create-secrets-sync-handler';
import type { GroupOutcome } from '../../../lambdas/shared/create-grouped-queue-handler';
import { UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../support/fake-aws-json-service';
import { sqsRecord } from '../../support/sqs-records';

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`;

const change = (name: string, n: number): SecretChange => ({
  type: 'secret.changed',
  id: `cloudtrail:${name}:${n}`,
  secretArn: ARN(name),
  name,
  versionId: `v-${n}`,
  change: 'updated',
  occurredAt: '2026-11-23T09:00:00Z',
});

const record = (messageId: string, body: string, group: string, receives = 1): SQSRecord =>
  sqsRecord(messageId, body, { group, receives, queue: 'hoist-secrets.fifo' });

const recordOf = (c: SecretChange, messageId: string, receives = 1) => record(messageId, JSON.stringify(c), `secret:${c.secretArn}`, receives);
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/* The dead-letter queue: a local fake of SQS's documented SendMessageBatch (AWS JSON 1.0), each entry answered with the MD5 of its body. */
const startDeadLetterQueue = () =>
  startFakeAwsJsonService(({ body }) => {
    const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
    return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `d-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
  });

const deadLettered = (dlq: FakeAwsJsonService) =>
  dlq.calls.flatMap((c) =>
    (c.body.Entries as Array<{ MessageBody: string; MessageGroupId: string; MessageAttributes: Record<string, { StringValue: string }> }>).map((e) => ({
      id: (JSON.parse(e.MessageBody) as { id?: string }).id,
      group: e.MessageGroupId,
      reason: e.MessageAttributes['hoist-reason']?.StringValue,
    })),
  );

function handlerWith(dlq: FakeAwsJsonService, sync: (changes: readonly SecretChange[]) => Promise<GroupOutcome>) {
  const calls: string[][] = [];
  const handler = createSecretsSyncHandler({
    sync: async (changes) => {
      calls.push(changes.map((c) => c.id));
      return sync(changes);
    },
    deadLetters: new SqsDeadLetterSink({
      client: new SQSClient({ endpoint: dlq.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-secrets-dlq.fifo',
    }),
    maxReceives: 5,
    log: { warn: () => undefined, error: () => undefined },
  });
  return { handler, calls };
}

describe('secrets-sync handler: a batch of secret changes', () => {
  let dlq: FakeAwsJsonService | undefined;
  afterEach(async () => dlq?.close());

  it("syncs a batch's secrets in one call, each secret's changes in queue order", async () => {
    dlq = await startDeadLetterQueue();
    const { handler, calls } = handlerWith(dlq, async () => ({ failures: [] }));
    const a1 = change('hoist/apps/api/dev', 1);
    const b1 = change('hoist/apps/web/dev', 1);
    const a2 = change('hoist/apps/api/dev', 2);

    const result = await handler({ Records: [recordOf(a1, 'm1'), recordOf(b1, 'm2'), recordOf(a2, 'm3')] }, localLambdaContext('secrets-sync'));

    expect(calls).toEqual([[a1.id, b1.id, a2.id]]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('dead-letters a change that needs a person at once, with its reason and its own secret as group', async () => {
    dlq = await startDeadLetterQueue();
    const a = change('hoist/apps/api/dev', 1);
    const b = change('hoist/apps/web/dev', 1);
    const { handler } = handlerWith(dlq, async () => ({
      failures: [{ reason: 'Vault path secret/apps/api/dev/config holds version 2, which Hoist did not write', envelopeIds: [a.id] }],
    }));

    const result = await handler({ Records: [recordOf(a, 'm1'), recordOf(b, 'm2')] }, localLambdaContext('secrets-sync'));

    expect(result.batchItemFailures).toEqual([]);
    // The dead letter keeps the secret's own group, not the batch's.
    expect(deadLettered(dlq)).toEqual([
      { id: a.id, group: toSqsId(`secret:${a.secretArn}`), reason: 'Vault path secret/apps/api/dev/config holds version 2, which Hoist did not write' },
    ]);
  });

  it('returns a batch to the queue while Vault is unreachable, and dead-letters it with the reason on the last receive', async () => {
    dlq = await startDeadLetterQueue();
    const a = change('hoist/apps/api/dev', 1);
    const { handler } = handlerWith(dlq, async () => {
      throw new UnavailableError('Vault unreachable at https://vault.example.com (ECONNREFUSED)');
    });

    const early = await handler({ Records: [recordOf(a, 'm1', 4)] }, localLambdaContext('secrets-sync'));
    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(dlq.calls).toEqual([]);

    const last = await handler({ Records: [recordOf(a, 'm1', 5)] }, localLambdaContext('secrets-sync'));
    expect(last.batchItemFailures).toEqual([]);
    expect(deadLettered(dlq)).toEqual([
      { id: a.id, group: toSqsId(`secret:${a.secretArn}`), reason: 'Vault unreachable at https://vault.example.com (ECONNREFUSED)' },
    ]);
  });

  it('dead-letters a malformed message without syncing it', async () => {
    dlq = await startDeadLetterQueue();
    const { handler, calls } = handlerWith(dlq, async () => ({ failures: [] }));
    const bad = record('m1', JSON.stringify({ type: 'secret.changed', id: 'x', secretArn: 'not-an-arn' }), 'secret:x');

    const result = await handler({ Records: [bad] }, localLambdaContext('secrets-sync'));

    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual([]);
    expect(deadLettered(dlq)[0]?.reason).toContain('secretArn');
  });
});
