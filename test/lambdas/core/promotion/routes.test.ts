import { describe, expect, it } from 'vitest';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import type { EventEnvelope, ImagePublished } from '../../../../lambdas/core/events';
import { buildEnvelopes } from '../../../../lambdas/core/intake/enqueue-once';
import { orderingKeyOf } from '../../../../lambdas/core/ordering-key-of';
import { type FileRead, planPromotions } from '../../../../lambdas/core/promotion/plan-promotions';
import { batchWorkOf, workOf } from '../../../../lambdas/core/promotion/triggers';
import { imageEnvelope } from '../../../support/envelopes';

const config = PromotionConfigSchema.parse({
  repositories: [
    { name: 'gitops', provider: 'git', url: '/x' },
    { name: 'team-repo', provider: 'git', url: '/y', markerFiles: ['values.yaml'] },
  ],
  images: [
    {
      image: 'ghcr.io/octo-org/api',
      targets: [
        { repository: 'gitops', file: 'dev/values.yaml', environment: 'dev' },
        { repository: 'gitops', file: 'staging/values.yaml', environment: 'staging' },
        { repository: 'gitops', file: 'prod/values.yaml', environment: 'prod', mode: 'pull-request' },
      ],
    },
  ],
});
const values = (tag: string) => `image:\n  repository: ghcr.io/octo-org/api\n  tag: ${tag}\n`;

describe('routing: one queue message group per GitOps branch', () => {
  const event = imageEnvelope(1, 'octo-org/api', 'ghcr.io').event as ImagePublished;

  it('names each branch an image is written to, and marker repositories as a whole', () => {
    expect(workOf(config, event)).toEqual({
      kind: 'promote',
      routes: [
        { repository: 'gitops', branch: 'main' },
        { repository: 'gitops', branch: 'hoist/prod/api' },
        { repository: 'team-repo', branch: '*' },
      ],
    });
    expect(
      workOf(config, {
        type: 'git.push',
        host: 'github',
        repository: 'a/b',
        ref: 'refs/heads/main',
        refType: 'branch',
        before: '0000000',
        after: '1111111',
        changedPaths: [],
        changedPathsTruncated: false,
        author: 'x',
      }),
    ).toEqual({ kind: 'none', reason: "no image lists this branch push of github a/b in its 'from'" });
  });

  it("queues one envelope per route, each in its branch's message group", () => {
    const { envelopes } = buildEnvelopes('ecr', 'e1', new Date('2026-11-23T08:00:00Z'), [event], (e) => workOf(config, e));
    expect(envelopes.map((e) => [e.id, orderingKeyOf(e)])).toEqual([
      ['ecr:e1#0@gitops:main', 'gitops:gitops:main'],
      ['ecr:e1#0@gitops:hoist/prod/api', 'gitops:gitops:hoist/prod/api'],
      ['ecr:e1#0@team-repo:*', 'gitops:team-repo:*'],
    ]);
  });

  it("plans only the targets on an envelope's route", () => {
    const { envelopes } = buildEnvelopes('ecr', 'e1', new Date('2026-11-23T08:00:00Z'), [{ ...event, tag: '1.0.2' }], (e) => workOf(config, e));
    const fileOf = (_repo: string, _branch: string, path: string): FileRead =>
      path === 'values.yaml' ? { kind: 'missing' } : { kind: 'text', text: values('1.0.1') };
    const main = planPromotions({
      config,
      updates: batchWorkOf(config, [envelopes[0] as EventEnvelope]).updates,
      fileOf,
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
    });
    expect(main.changes.map((c) => [c.branch, c.promotions.map((p) => p.environment)])).toEqual([['main', ['dev', 'staging']]]);
    const prod = planPromotions({
      config,
      updates: batchWorkOf(config, [envelopes[1] as EventEnvelope]).updates,
      fileOf,
      stateOf: () => undefined,
      pushedAtOf: () => undefined,
    });
    expect(prod.changes.map((c) => [c.branch, c.promotions.map((p) => p.environment)])).toEqual([['hoist/prod/api', ['prod']]]);
  });
});
