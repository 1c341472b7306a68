import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import type { GateScheduler } from '../../../../lambdas/core/ports';
import type { GateCheck } from '../../../../lambdas/core/promotion/gate-check';
import { type PromoteDeps, promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GiteaProvider } from '../../../../lambdas/providers/gitea-provider';
import { type FakeGitea, startFakeGitea } from '../../../support/fake-gitea';

/*
 * An environment that takes a PR/MR lands when it is merged: the merge (Gitea's
 * documented pulls API, merged here as a person would) opens the gates of the
 * environments that follow it.
 */

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const values = (tag: string) => `image:\n  repository: ${IMAGE}\n  tag: "${tag}"\n`;

/** The gates queue: what is sent is kept, as SQS would hold it. */
class KeptGates implements GateScheduler {
  readonly sent: Array<{ check: GateCheck; delaySeconds: number }> = [];
  async schedule(check: GateCheck, delaySeconds: number): Promise<void> {
    this.sent.push({ check, delaySeconds });
  }
}

describe('environments: a gate after an environment that takes a PR/MR', () => {
  let gitea: FakeGitea | undefined;
  afterEach(async () => gitea?.close());

  it('opens when the PR/MR is merged, at its merge commit, and not before', async () => {
    gitea = await startFakeGitea('platform', 'gitops', { 'apps/api/staging/values.yaml': values('1.4.2'), 'apps/api/prod/values.yaml': values('1.4.2') });
    const fake = gitea;
    const gates = new KeptGates();
    const deps: PromoteDeps = {
      config:
        parsePromotionConfig(`repositories: [{ name: gitops, provider: gitea, url: "https://gitea.example.com/platform/gitops.git", apiUrl: ${JSON.stringify(fake.url)} }]
services:
  - name: api
    image: "*.dkr.ecr.*.amazonaws.com/team/api"
    repository: gitops
    file: apps/{service}/{environment}/values.yaml
    environments:
      - { name: staging, mode: pull-request }
      - { name: prod, mode: pull-request, after: staging, gate: { healthy: true, soak: 5m } }
`),
      providerFor: providerCache(
        async () => fake.token,
        (repository, token) => new GiteaProvider({ url: repository.url, token: token ?? '', apiUrl: fake.url }),
      ),
      states: new MemoryTargetStateStore(),
      audit: new MemoryAuditLog(),
      gates,
      log: { warn: () => undefined },
      now: () => new Date('2026-11-23T09:00:00Z'),
      sleep: async () => undefined,
    };
    const push: EventEnvelope = {
      id: 'ecr:p1#0@gitops:hoist/staging/api',
      host: 'ecr',
      deliveryId: 'p1',
      receivedAt: '2026-11-23T09:00:00.000Z',
      route: { repository: 'gitops', branch: 'hoist/staging/api' },
      event: {
        type: 'image.published',
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/api',
        tag: '1.4.3',
        pushedAt: '2026-11-23T09:00:00.000Z',
        reportedBy: { host: 'ecr', event: 'ECR Image Action' },
      },
    };
    await promoteBatch([push], deps);
    expect(fake.pulls[0]).toMatchObject({ number: 1, head: 'hoist/staging/api', state: 'open' });
    expect(gates.sent).toEqual([]);

    const provider = new GiteaProvider({ url: 'https://gitea.example.com/platform/gitops.git', token: fake.token, apiUrl: fake.url });
    const merged = await provider.mergePullRequest({ number: 1, expectedHead: fake.git.refs.get('hoist/staging/api') as string, message: 'merge staging' });
    const mergeEvent: EventEnvelope = {
      id: 'gitea:m1#0@gitops:main',
      host: 'gitea',
      deliveryId: 'm1',
      receivedAt: '2026-11-23T09:10:00.000Z',
      route: { repository: 'gitops', branch: 'main' },
      event: {
        type: 'change.merged',
        host: 'gitea',
        repository: 'platform/gitops',
        number: 1,
        title: 'staging',
        url: 'https://gitea.example.com/platform/gitops/pulls/1',
        sourceBranch: 'hoist/staging/api',
        targetBranch: 'main',
        mergeCommitSha: merged.sha,
        mergedBy: 'carol',
      },
    };
    await promoteBatch([mergeEvent], deps);
    expect(gates.sent).toEqual([
      {
        check: expect.objectContaining({ environment: 'prod', after: 'staging', tag: '1.4.3', revision: merged.sha, applications: ['api-staging'] }),
        delaySeconds: 30,
      },
    ]);
    // A second merge event of the same PR opens nothing more.
    await promoteBatch([{ ...mergeEvent, id: 'gitea:m2#0@gitops:main', deliveryId: 'm2' }], deps);
    expect(gates.sent).toHaveLength(1);
  });
});
