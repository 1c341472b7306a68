import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import type { ListedSecret, SecretChangeQueue } from '../../../lambdas/core/ports';
import type { SecretChange } from '../../../lambdas/core/secrets/secret-change';
import { createSecretsReconcileHandler } from '../../../lambdas/secrets-reconcile/create-secrets-reconcile-handler';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`;
/** What EventBridge Scheduler sends a Lambda target without input: `{}`. */
const SCHEDULED = {};

class RecordingQueue implements SecretChangeQueue {
  readonly sent: SecretChange[] = [];
  async enqueue(changes: readonly SecretChange[]): Promise<void> {
    this.sent.push(...changes);
  }
}

/** The change id's last part: a digest of the ARN, short whatever the name's length. */
const digestOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

describe('secrets-reconcile function', () => {
  const listed: ListedSecret[] = [
    { arn: arn('hoist/apps/api/dev'), name: 'hoist/apps/api/dev', tags: {} },
    { arn: arn('hoist/apps/web/dev'), name: 'hoist/apps/web/dev', tags: {}, deletedAt: '2026-11-20T00:00:00.000Z' },
  ];

  it('queues every mapped secret and answers the counts per change kind', async () => {
    const queue = new RecordingQueue();
    const handler = createSecretsReconcileHandler(
      { scope: { prefixes: ['hoist/apps/'], names: [] }, source: { list: async () => listed } },
      { queue, now: () => new Date('2026-11-23T11:00:00Z') },
    );
    expect(await handler(SCHEDULED, localLambdaContext('hoist-secrets-reconcile'))).toEqual({ listed: 2, queued: { reconcile: 1, deleted: 1 }, skipped: [] });
    expect(queue.sent.map((c) => c.id)).toEqual([
      `reconcile:2026-11-23T11:00:00.000Z:${digestOf(arn('hoist/apps/api/dev'))}`,
      `reconcile:2026-11-23T11:00:00.000Z:${digestOf(arn('hoist/apps/web/dev'))}`,
    ]);
  });

  it('fails the invocation when Secrets Manager cannot be listed, so the error alarm shows it', async () => {
    const handler = createSecretsReconcileHandler(
      {
        scope: { prefixes: ['hoist/apps/'], names: [] },
        source: { list: async () => Promise.reject(new Error('could not list secrets under hoist/apps/: ThrottlingException')) },
      },
      { queue: new RecordingQueue(), now: () => new Date() },
    );
    await expect(handler(SCHEDULED, localLambdaContext('hoist-secrets-reconcile'))).rejects.toThrow('ThrottlingException');
  });
});
