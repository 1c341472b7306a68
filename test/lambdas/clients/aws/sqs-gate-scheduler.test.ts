import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsGateScheduler, sqsDelayOf } from '../../../../lambdas/clients/aws/sqs-gate-scheduler';
import type { GateCheck } from '../../../../lambdas/core/promotion/gate-check';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../../support/fake-aws-json-service';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/hoist-gates';

/** A gate check as the promoter opens it (gateChecksAfter) when a commit lands in dev. */
const CHECK: GateCheck = {
  type: 'gate.check',
  id: 'gate:123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:1.4.0:staging',
  image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api',
  tag: '1.4.0',
  pushedAt: '2026-11-23T09:00:00.000Z',
  service: 'api',
  environment: 'staging',
  after: 'dev',
  revision: '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345',
  applications: ['api-dev'],
  startedAt: '2026-11-23T09:01:00.000Z',
  deadline: '2026-11-23T09:31:00.000Z',
  polls: 0,
};

/*
 * The fake follows SQS's documented SendMessage (AWS JSON 1.0, X-Amz-Target
 * AmazonSQS.SendMessage): the answer carries the MessageId and the MD5 of
 * the body, which the SDK checks; a missing queue is a 400
 * AWS.SimpleQueueService.NonExistentQueue (QueueDoesNotExist).
 */
describe('SqsGateScheduler (real SQS client against a local SQS JSON-protocol fake)', () => {
  let fake: FakeAwsJsonService | undefined;
  afterEach(async () => fake?.close());

  const accept = () => startFakeAwsJsonService(({ body }) => ({ body: { MessageId: 'm-1', MD5OfMessageBody: md5(String(body.MessageBody)) } }));
  const schedulerAgainst = (service: FakeAwsJsonService) =>
    new SqsGateScheduler({
      client: new SQSClient({ endpoint: service.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS }),
      queueUrl: QUEUE_URL,
    });

  it('sends the check as the body with its delay, and no FIFO group or de-duplication id', async () => {
    fake = await accept();
    await schedulerAgainst(fake).schedule(structuredClone(CHECK), 30);
    expect(fake.calls.map((c) => c.target)).toEqual(['AmazonSQS.SendMessage']);
    const sent = fake.calls[0]?.body ?? {};
    expect(sent).toEqual({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(CHECK), DelaySeconds: 30 });
    expect(JSON.parse(String(sent.MessageBody))).toEqual(CHECK);
  });

  it('clamps the delay to what SQS accepts: whole seconds from 0 to 900', async () => {
    fake = await accept();
    const scheduler = schedulerAgainst(fake);
    for (const delay of [1200, -5, 12.2, 0, 900]) await scheduler.schedule(structuredClone(CHECK), delay);
    expect(fake.calls.map((c) => c.body.DelaySeconds)).toEqual([900, 0, 13, 0, 900]);
    expect([Number.NaN, Number.POSITIVE_INFINITY].map(sqsDelayOf)).toEqual([0, 900]);
  });

  it('refuses a check the gates function could not parse, without calling SQS', async () => {
    fake = await accept();
    const broken = { ...structuredClone(CHECK), revision: 'main', applications: [''] };
    await expect(schedulerAgainst(fake).schedule(broken, 30)).rejects.toThrowError(/gate check gate:.*:staging is not valid: revision: .*; applications\[0\]/);
    expect(fake.calls).toEqual([]);
  });

  it('throws what SQS answers, so the caller retries', async () => {
    fake = await startFakeAwsJsonService(() => ({
      status: 400,
      errorType: 'AWS.SimpleQueueService.NonExistentQueue',
      message: 'The specified queue does not exist.',
    }));
    await expect(schedulerAgainst(fake).schedule(structuredClone(CHECK), 30)).rejects.toThrowError('The specified queue does not exist.');
  });
});
