import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import type { GateScheduler } from '../../../../lambdas/core/ports';
import type { GateCheck } from '../../../../lambdas/core/promotion/gate-check';
import { promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../../lambdas/providers/git-cli-provider';
import { UnavailableError } from '../../../../lambdas/shared/errors';
import { createBareRepo, git } from '../../../support/git-repo';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const values = (tag: string) => `image:\n  repository: ${IMAGE}\n  tag: "${tag}"\n`;

/** The gates queue, as SQS answers: the first send fails as an outage does (503), the rest are kept. */
class FlakyGatesQueue implements GateScheduler {
  readonly sent: GateCheck[] = [];
  private failures = 1;
  async schedule(check: GateCheck): Promise<void> {
    if (this.failures-- > 0) throw new UnavailableError('SQS answered 503 ServiceUnavailable');
    this.sent.push(check);
  }
}

describe('environments: a gate is not lost when opening it fails after the commit', () => {
  it('opens it on the redelivery, which finds dev at the tag already', async () => {
    const repo = createBareRepo({ 'apps/api/dev/values.yaml': values('1.4.2'), 'apps/api/staging/values.yaml': values('1.4.2') });
    const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-reopen-'));
    const gates = new FlakyGatesQueue();
    const deps = {
      config: parsePromotionConfig(`repositories: [{ name: gitops, provider: git, url: ${JSON.stringify(repo.bare)} }]
services:
  - name: api
    image: "*.dkr.ecr.*.amazonaws.com/team/api"
    repository: gitops
    file: apps/{service}/{environment}/values.yaml
    environments:
      - { name: dev }
      - { name: staging, after: dev, gate: { healthy: true, soak: 1m } }
`),
      providerFor: providerCache(
        async () => undefined,
        (r) => new GitCliProvider({ url: r.url, cacheDir }),
      ),
      states: new MemoryTargetStateStore(),
      audit: new MemoryAuditLog(),
      gates,
      log: { warn: () => undefined },
      now: () => new Date('2026-11-23T09:00:00Z'),
      sleep: async () => undefined,
    };
    const envelope: EventEnvelope = {
      id: 'ecr:p1#0@gitops:main',
      host: 'ecr',
      deliveryId: 'p1',
      receivedAt: '2026-11-23T09:00:00.000Z',
      route: { repository: 'gitops', branch: 'main' },
      event: {
        type: 'image.published',
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/api',
        tag: '1.4.3',
        pushedAt: '2026-11-23T09:00:00.000Z',
        reportedBy: { host: 'ecr', event: 'ECR Image Action' },
      },
    };

    await expect(promoteBatch([envelope], deps)).rejects.toThrow('SQS answered 503');
    expect(gates.sent).toEqual([]);
    const landed = git(repo.person.dir, 'ls-remote', repo.bare, 'refs/heads/main').split('\t')[0];

    const again = await promoteBatch([envelope], deps);
    expect(again.applied).toEqual([]);
    expect(again.noops).toEqual([expect.objectContaining({ environment: 'dev', atTag: true })]);
    expect(gates.sent).toEqual([expect.objectContaining({ environment: 'staging', after: 'dev', tag: '1.4.3', revision: landed })]);
  });
});
