import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { ArgoCdClient } from '../../../lambdas/clients/argocd-client';
import { SqsDeadLetterSink } from '../../../lambdas/clients/aws/sqs-dead-letter-sink';
import { SqsEventQueue } from '../../../lambdas/clients/aws/sqs-event-queue';
import { SqsGateScheduler } from '../../../lambdas/clients/aws/sqs-gate-scheduler';
import { MemoryAuditLog } from '../../../lambdas/clients/local/memory-promotion-stores';
import { type PromotionConfig, PromotionConfigSchema } from '../../../lambdas/core/config/promotion-config';
import type { EventEnvelope } from '../../../lambdas/core/events';
import type { GateCheck } from '../../../lambdas/core/promotion/gate-check';
import { runGateCheck } from '../../../lambdas/core/promotion/run-gate';
import { createGatesHandler } from '../../../lambdas/gates/create-gates-handler';
import { closedLocalOrigin } from '../../support/closed-port';
import { type FakeArgoCd, startFakeArgoCd } from '../../support/fake-argocd';
import { type FakeAwsJsonService, startFakeAwsJsonService, TEST_CREDENTIALS } from '../../support/fake-aws-json-service';
import { sqsRecord } from '../../support/sqs-records';

const SQS = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const EVENT_QUEUE = `${SQS}/hoist-events.fifo`;
const GATE_QUEUE = `${SQS}/hoist-gates`;
const GATE_DEAD_LETTERS = `${SQS}/hoist-gates-dlq`;
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const REVISION = '3f9c2a1b7d4e5f60718293a4b5c6d7e8f9012345';
const NOW = new Date('2026-11-23T09:05:00.000Z');

/** api runs dev → staging: staging follows once dev's Argo CD application is Synced to the commit and Healthy. */
const configFor = (argocdUrl: string): PromotionConfig =>
  PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'github', url: 'https://github.com/octo-org/gitops.git' }],
    services: [
      {
        name: 'api',
        image: IMAGE,
        repository: 'gitops',
        file: 'apps/api/{environment}/values.yaml',
        environments: [{ name: 'dev' }, { name: 'staging', after: 'dev', gate: { healthy: true, soak: '0s', every: '30s', timeout: '30m' } }],
      },
    ],
    argocd: { url: argocdUrl, tokenSecretName: 'hoist/argocd/token' },
  });

/** The check gateChecksAfter opens when 1.4.0 lands in dev, as the promoter queues it. */
const CHECK: GateCheck = {
  type: 'gate.check',
  id: `gate:${IMAGE}:1.4.0:staging`,
  image: IMAGE,
  tag: '1.4.0',
  pushedAt: '2026-11-23T09:00:00.000Z',
  service: 'api',
  environment: 'staging',
  after: 'dev',
  revision: REVISION,
  applications: ['api-dev'],
  startedAt: '2026-11-23T09:01:00.000Z',
  deadline: '2026-11-23T09:31:00.000Z',
  polls: 0,
};

const record = (messageId: string, body: string): SQSRecord => sqsRecord(messageId, body, { queue: 'hoist-gates' });

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/*
 * One local SQS endpoint for the three queues, following SQS's documented
 * SendMessage and SendMessageBatch (AWS JSON 1.0): each answer carries the
 * MD5 of the body, which the SDK checks. Calls are told apart by QueueUrl.
 */
const startSqs = () =>
  startFakeAwsJsonService(({ target, body }) => {
    if (target === 'AmazonSQS.SendMessage') return { body: { MessageId: 'm-1', MD5OfMessageBody: md5(String(body.MessageBody)) } };
    const entries = body.Entries as Array<{ Id: string; MessageBody: string }>;
    return { body: { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] } };
  });

interface Sent {
  readonly body: string;
  readonly fields: Record<string, unknown>;
}

/** What one queue received, single messages and batch entries alike. */
const sentTo = (sqs: FakeAwsJsonService, queueUrl: string): Sent[] =>
  sqs.calls
    .filter((c) => c.body.QueueUrl === queueUrl)
    .flatMap((c) =>
      c.target === 'AmazonSQS.SendMessage'
        ? [{ body: String(c.body.MessageBody), fields: c.body }]
        : (c.body.Entries as Array<Record<string, unknown>>).map((e) => ({ body: String(e.MessageBody), fields: e })),
    );

describe('gates handler (middy, real gate checks against local Argo CD and SQS fakes)', () => {
  let argocd: FakeArgoCd;
  let sqs: FakeAwsJsonService;
  let audit: MemoryAuditLog;
  beforeEach(async () => {
    argocd = await startFakeArgoCd([{ name: 'api-dev', repoURL: 'https://github.com/octo-org/gitops.git', path: 'apps/api/dev' }]);
    sqs = await startSqs();
    audit = new MemoryAuditLog();
  });
  afterEach(async () => {
    await argocd.close();
    await sqs.close();
  });

  function handlerFor(argocdUrl: string) {
    const client = new SQSClient({ endpoint: sqs.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
    const config = configFor(argocdUrl);
    const errors: Array<Record<string, unknown>> = [];
    const handler = createGatesHandler({
      check: (check) =>
        runGateCheck(check, {
          config,
          argocd: new ArgoCdClient({ url: argocdUrl, token: argocd.token }),
          queue: new SqsEventQueue({ client, queueUrl: EVENT_QUEUE }),
          gates: new SqsGateScheduler({ client, queueUrl: GATE_QUEUE }),
          audit,
          log: { warn: () => undefined },
          now: () => NOW,
        }),
      deadLetters: new SqsDeadLetterSink({ client, queueUrl: GATE_DEAD_LETTERS, fifo: false }),
      maxReceives: 5,
      log: { info: () => undefined, warn: () => undefined, error: (_message, ...extra) => errors.push(...extra) },
    });
    const invoke = (records: SQSRecord[]) => handler({ Records: records } satisfies SQSEvent, localLambdaContext('hoist-gates'));
    return { invoke, errors };
  }

  it('passes a gate whose application is Synced to the commit and Healthy, queueing one gate.passed envelope', async () => {
    argocd.setStatus('api-dev', { sync: 'Synced', revision: REVISION, health: 'Healthy' });
    const { invoke } = handlerFor(argocd.url);
    const response = await invoke([record('msg-1', JSON.stringify(CHECK))]);
    expect(response).toEqual({ batchItemFailures: [] });

    const queued = sentTo(sqs, EVENT_QUEUE);
    expect(queued).toHaveLength(1);
    const envelope = JSON.parse(queued[0]?.body ?? '{}') as EventEnvelope;
    expect(envelope).toMatchObject({
      id: `gate:${CHECK.id}#0@gitops:main`,
      host: 'gate',
      route: { repository: 'gitops', branch: 'main' },
      event: {
        type: 'gate.passed',
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/api',
        tag: '1.4.0',
        service: 'api',
        environment: 'staging',
        after: 'dev',
        revision: REVISION,
        passedAt: NOW.toISOString(),
      },
    });
    // FIFO: in the group of the branch it promotes on; the gate's id de-duplicates a redelivered pass.
    expect(queued[0]?.fields).toMatchObject({ MessageGroupId: 'gitops:gitops:main', MessageDeduplicationId: envelope.id });
    expect(sentTo(sqs, GATE_QUEUE)).toEqual([]);
    expect(audit.records.map((r) => [r.id, r.outcome])).toEqual([[`${CHECK.id}:passed`, 'gate-passed']]);
  });

  it('schedules a gate whose application is still Progressing again, with its poll interval as DelaySeconds', async () => {
    argocd.setStatus('api-dev', { sync: 'Synced', revision: REVISION, health: 'Progressing' });
    const { invoke } = handlerFor(argocd.url);
    const response = await invoke([record('msg-1', JSON.stringify(CHECK))]);
    expect(response).toEqual({ batchItemFailures: [] });

    const scheduled = sentTo(sqs, GATE_QUEUE);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.fields.DelaySeconds).toBe(30);
    // A standard queue: no group, no de-duplication id.
    expect(scheduled[0]?.fields).not.toHaveProperty('MessageGroupId');
    expect(JSON.parse(scheduled[0]?.body ?? '{}')).toEqual({ ...CHECK, polls: 1 });
    expect(sentTo(sqs, EVENT_QUEUE)).toEqual([]);
    expect(audit.records).toEqual([]);
  });

  it('reports the record for redelivery when Argo CD cannot be reached, acting on nothing', async () => {
    const { invoke, errors } = handlerFor(await closedLocalOrigin());
    const response = await invoke([record('msg-1', JSON.stringify(CHECK))]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
    expect(sqs.calls).toEqual([]);
    expect(audit.records).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^Argo CD at .* could not be reached/) })]);
  });

  it('dead-letters a malformed check at once with its reason, and handles the other records of the batch', async () => {
    argocd.setStatus('api-dev', { sync: 'Synced', revision: REVISION, health: 'Progressing' });
    const { invoke } = handlerFor(argocd.url);
    const malformed = JSON.stringify({ ...CHECK, revision: 'main' });
    const response = await invoke([record('msg-bad', malformed), record('msg-ok', JSON.stringify(CHECK))]);
    expect(response).toEqual({ batchItemFailures: [] });

    const dead = sentTo(sqs, GATE_DEAD_LETTERS);
    expect(dead.map((d) => d.body)).toEqual([malformed]);
    // The gates dead-letter queue is a standard queue, which refuses FIFO ids.
    expect(dead[0]?.fields).not.toHaveProperty('MessageGroupId');
    expect(dead[0]?.fields).not.toHaveProperty('MessageDeduplicationId');
    expect(dead[0]?.fields.MessageAttributes).toEqual({
      'hoist-reason': { DataType: 'String', StringValue: expect.stringMatching(/^queue message msg-bad: revision: /) },
    });
    expect(sentTo(sqs, GATE_QUEUE)).toHaveLength(1);
  });

  it('reports a malformed check for redelivery when the dead-letter queue refuses it', async () => {
    await sqs.close();
    sqs = await startFakeAwsJsonService(({ body }) => {
      const entries = body.Entries as Array<{ Id: string }>;
      return { body: { Successful: [], Failed: entries.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })) } };
    });
    const { invoke } = handlerFor(argocd.url);
    const response = await invoke([record('msg-bad', 'not json')]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-bad' }] });
  });
});
