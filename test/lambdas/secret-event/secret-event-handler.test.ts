import { describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import type { SecretChangeQueue } from '../../../lambdas/core/ports';
import type { SecretChange } from '../../../lambdas/core/secrets/secret-change';
import { createSecretEventHandler } from '../../../lambdas/secret-event/create-secret-event-handler';
import { readEnv } from '../../../lambdas/shared/env';
import { ValidationError } from '../../../lambdas/shared/errors';
import { SecretIntakeEnvSchema } from '../../../lambdas/wiring/lambda-secret-intake';
import { FIXTURE_SECRET_ARN, secretEvent } from '../../support/secret-events';

class RecordingQueue implements SecretChangeQueue {
  readonly sent: SecretChange[] = [];
  async enqueue(changes: readonly SecretChange[]): Promise<void> {
    this.sent.push(...changes);
  }
}

const SCOPE = { prefixes: ['hoist/apps/'], names: [] };
const context = () => localLambdaContext('hoist-secret-event');

describe('secret-event function', () => {
  it('queues the change of a PutSecretValue event and answers what it queued', async () => {
    const queue = new RecordingQueue();
    const handler = createSecretEventHandler({ queue, scope: SCOPE });
    expect(await handler(secretEvent('put-secret-value'), context())).toEqual({
      status: 'queued',
      id: 'cloudtrail:7d2b1f6c-3e4a-4b5c-8d9e-0f1a2b3c4d02',
      secret: 'hoist/apps/api/dev',
      change: 'updated',
    });
    expect(queue.sent).toEqual([expect.objectContaining({ secretArn: FIXTURE_SECRET_ARN, versionId: '0c9e8d7b-6a5f-4e3d-2c1b-0a9f8e7d6c02' })]);
  });

  it('answers ignored, queueing nothing, for a failed call and for a secret out of scope', async () => {
    const queue = new RecordingQueue();
    const handler = createSecretEventHandler({ queue, scope: SCOPE });
    const failed = secretEvent('delete-secret');
    failed.detail.errorCode = 'InvalidRequestException';
    failed.detail.responseElements = null;
    expect(await handler(failed, context())).toEqual({
      status: 'ignored',
      id: 'cloudtrail:3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a04',
      reason: 'DeleteSecret failed (InvalidRequestException) and changed nothing',
    });
    const outside = createSecretEventHandler({ queue, scope: { prefixes: ['team/'], names: [] } });
    expect(await outside(secretEvent('rotation-succeeded'), context())).toMatchObject({
      status: 'ignored',
      reason: expect.stringMatching(/outside the mapped prefixes/),
    });
    expect(queue.sent).toEqual([]);
  });

  it('fails the invocation on a malformed event (Lambda retries, then its dead-letter queue keeps it) and when the queue fails', async () => {
    const handler = createSecretEventHandler({ queue: new RecordingQueue(), scope: SCOPE });
    await expect(handler({ source: 'aws.secretsmanager' }, context())).rejects.toBeInstanceOf(ValidationError);
    const broken = createSecretEventHandler({ queue: { enqueue: async () => Promise.reject(new Error('SQS refused 1 of 1 secret changes')) }, scope: SCOPE });
    await expect(broken(secretEvent('create-secret'), context())).rejects.toThrow('SQS refused');
  });
});

describe('secret intake environment', () => {
  it('reads the queue URL and comma-separated prefixes and names, and refuses an empty scope naming the variable', () => {
    expect(
      readEnv(SecretIntakeEnvSchema, {
        HOIST_SECRET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/secrets.fifo',
        HOIST_SECRET_PREFIXES: 'hoist/apps/, team/',
        HOIST_SECRET_NAMES: 'legacy/db',
      }),
    ).toEqual({
      HOIST_SECRET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/secrets.fifo',
      HOIST_SECRET_PREFIXES: ['hoist/apps/', 'team/'],
      HOIST_SECRET_NAMES: ['legacy/db'],
    });
    expect(() => readEnv(SecretIntakeEnvSchema, { HOIST_SECRET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/s.fifo' })).toThrow(
      'invalid environment: HOIST_SECRET_PREFIXES: name at least one secret prefix or name',
    );
    expect(() => readEnv(SecretIntakeEnvSchema, { HOIST_SECRET_PREFIXES: 'a/' })).toThrow(/HOIST_SECRET_QUEUE_URL/);
  });
});
