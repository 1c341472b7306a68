import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ListedSecret, SecretChangeQueue, SecretSource } from '../../../../lambdas/core/ports';
import { reconcileSecrets } from '../../../../lambdas/core/secrets/reconcile-secrets';
import type { SecretChange } from '../../../../lambdas/core/secrets/secret-change';

const arn = (name: string, suffix = 'AbC123') => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-${suffix}`;
const NOW = new Date('2026-11-23T11:00:00.000Z');

/**
 * Secrets Manager's listing as documented: the `name` filter matches a
 * prefix case-insensitively, and IncludePlannedDeletion lists secrets
 * scheduled for deletion with their DeletedDate.
 */
class ListingSource implements Pick<SecretSource, 'list'> {
  readonly asked: string[][] = [];
  constructor(private readonly secrets: readonly ListedSecret[]) {}
  async list(prefixes: readonly string[]): Promise<readonly ListedSecret[]> {
    this.asked.push([...prefixes]);
    return this.secrets.filter((s) => prefixes.some((p) => s.name.toLowerCase().startsWith(p.toLowerCase())));
  }
}

class RecordingQueue implements SecretChangeQueue {
  readonly sent: SecretChange[][] = [];
  async enqueue(changes: readonly SecretChange[]): Promise<void> {
    this.sent.push([...changes]);
  }
}

describe('reconcileSecrets', () => {
  const secrets: ListedSecret[] = [
    { arn: arn('hoist/apps/web/prod'), name: 'hoist/apps/web/prod', tags: {} },
    { arn: arn('hoist/apps/api/dev'), name: 'hoist/apps/api/dev', tags: { team: 'a' } },
    { arn: arn('hoist/apps/old/dev'), name: 'hoist/apps/old/dev', tags: {}, deletedAt: '2026-11-20T00:00:00.000Z' },
    { arn: arn('legacy/db'), name: 'legacy/db', tags: {} },
    // Listed for the prefix `legacy/db` (and case-insensitively), but not the exact entry name.
    { arn: arn('legacy/db-replica'), name: 'legacy/db-replica', tags: {} },
    { arn: arn('HOIST/apps/upper'), name: 'HOIST/apps/upper', tags: {} },
  ];

  it('queues one reconcile change per live secret in scope and one deleted change per secret scheduled for deletion', async () => {
    const source = new ListingSource(secrets);
    const queue = new RecordingQueue();
    const result = await reconcileSecrets({ scope: { prefixes: ['hoist/apps/'], names: ['legacy/db'] }, source }, { queue, now: () => NOW });
    expect(source.asked).toEqual([['hoist/apps/', 'legacy/db']]);
    expect(result).toEqual({ listed: 4, queued: { reconcile: 3, deleted: 1 }, skipped: [] });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]?.map((c) => [c.name, c.change])).toEqual([
      ['hoist/apps/api/dev', 'reconcile'],
      ['hoist/apps/old/dev', 'deleted'],
      ['hoist/apps/web/prod', 'reconcile'],
      ['legacy/db', 'reconcile'],
    ]);
    expect(queue.sent[0]?.[0]).toEqual({
      type: 'secret.changed',
      id: `reconcile:2026-11-23T11:00:00.000Z:${createHash('sha256').update(arn('hoist/apps/api/dev')).digest('hex').slice(0, 32)}`,
      secretArn: arn('hoist/apps/api/dev'),
      name: 'hoist/apps/api/dev',
      change: 'reconcile',
      occurredAt: '2026-11-23T11:00:00.000Z',
    });
  });

  it('queues nothing when nothing is in scope, a secret of the longest name, and skips one no change message can carry', async () => {
    const queue = new RecordingQueue();
    const empty = await reconcileSecrets({ scope: { prefixes: ['none/'], names: [] }, source: new ListingSource(secrets) }, { queue, now: () => NOW });
    expect(empty).toEqual({ listed: 0, queued: { reconcile: 0, deleted: 0 }, skipped: [] });
    expect(queue.sent).toEqual([]);

    // Secrets Manager allows 512 characters: the change id stays short whatever the name.
    const longest = `hoist/apps/${'x'.repeat(501)}`;
    const result = await reconcileSecrets(
      { scope: { prefixes: ['hoist/apps/'], names: [] }, source: new ListingSource([{ arn: arn(longest), name: longest, tags: {} }]) },
      { queue, now: () => NOW },
    );
    expect(result).toMatchObject({ queued: { reconcile: 1 }, skipped: [] });
    expect(queue.sent[0]?.[0]?.id.length).toBeLessThan(80);

    const tooLong = `hoist/apps/${'x'.repeat(520)}`;
    const skipped = await reconcileSecrets(
      { scope: { prefixes: ['hoist/apps/'], names: [] }, source: new ListingSource([{ arn: arn(tooLong), name: tooLong, tags: {} }]) },
      { queue, now: () => NOW },
    );
    expect(skipped.skipped).toEqual([{ secret: tooLong, reason: expect.stringMatching(/^name: /) }]);
  });

  it('fails the run when the listing fails, queueing nothing', async () => {
    const queue = new RecordingQueue();
    const failing = { list: async () => Promise.reject(new Error('ThrottlingException')) };
    await expect(reconcileSecrets({ scope: { prefixes: ['hoist/apps/'], names: [] }, source: failing }, { queue, now: () => NOW })).rejects.toThrow(
      'ThrottlingException',
    );
    expect(queue.sent).toEqual([]);
  });
});
