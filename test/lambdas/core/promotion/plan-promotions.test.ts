import { describe, expect, it } from 'vitest';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import { type FileRead, type ImageUpdate, type PlanInput, planPromotions, type TargetState } from '../../../../lambdas/core/promotion/plan-promotions';

const REDIS = 'public.ecr.aws/docker/library/redis';

/**
 * An excerpt shaped after the argo-cd Helm chart's values.yaml (argoproj/argo-helm,
 * charts/argo-cd): `redis.image` and `redis-ha.image` name the same image.
 */
const argoCdValues = `redis:
  enabled: true
  image:
    # -- Redis repository
    repository: ${REDIS}
    # -- Redis tag
    tag: 7.2.7-alpine
redis-ha:
  enabled: false
  image:
    # -- Redis repository
    repository: ${REDIS}
    # -- Redis tag
    tag: 7.2.7-alpine
`;

const update = (image: string, tag: string, pushedAt: string, n = 1): ImageUpdate => ({
  image,
  tag,
  pushedAt,
  source: 'ecr ECR Image Action',
  envelopeId: `e${n}`,
});

function input(config: unknown, files: Record<string, FileRead | string>, extra: Partial<PlanInput> = {}): Omit<PlanInput, 'updates'> {
  return {
    config: PromotionConfigSchema.parse(config),
    fileOf: (_repo, _branch, path) => {
      const file = files[path];
      if (file === undefined) return { kind: 'missing' };
      return typeof file === 'string' ? { kind: 'text', text: file } : file;
    },
    stateOf: () => undefined,
    pushedAtOf: () => undefined,
    ...extra,
  };
}

const repo = { name: 'gitops', provider: 'git', url: '/x' };

describe('planner: targets that share a file', () => {
  const config = {
    repositories: [repo],
    images: [
      {
        image: REDIS,
        service: 'redis',
        policy: 'latest',
        targets: [
          { repository: 'gitops', file: 'argocd/values.yaml', environment: 'platform', edit: { kind: 'helm', tagPath: 'redis.image.tag' } },
          { repository: 'gitops', file: 'argocd/values.yaml', environment: 'platform', edit: { kind: 'helm', tagPath: 'redis-ha.image.tag' } },
        ],
      },
    ],
  };

  it('changes both paths of one image in one file, in one commit that counts one image', () => {
    const plan = planPromotions({
      ...input(config, { 'argocd/values.yaml': argoCdValues }),
      updates: [update(REDIS, '7.2.8-alpine', '2026-11-23T08:00:00Z')],
    });
    expect(plan.noops).toEqual([]);
    expect(plan.changes).toHaveLength(1);
    const [change] = plan.changes;
    expect(change?.files).toEqual([{ path: 'argocd/values.yaml', content: argoCdValues.replaceAll('tag: 7.2.7-alpine', 'tag: 7.2.8-alpine') }]);
    expect(change?.promotions.map((p) => p.targetKey)).toEqual([
      `gitops:argocd/values.yaml:platform:${REDIS}#helm:redis.image.tag`,
      `gitops:argocd/values.yaml:platform:${REDIS}#helm:redis-ha.image.tag`,
    ]);
    expect(change?.title).toBe('chore(platform): bump redis 7.2.7-alpine -> 7.2.8-alpine');
  });

  it('counts images, not targets, when a commit promotes several', () => {
    const two = {
      repositories: [repo],
      images: [config.images[0], { image: 'ghcr.io/acme/api', policy: 'semver', targets: [{ repository: 'gitops', file: 'api.yaml', environment: 'dev' }] }],
    };
    const plan = planPromotions({
      ...input(two, {
        'argocd/values.yaml': argoCdValues,
        'api.yaml': 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.0.0\n',
      }),
      updates: [update(REDIS, '7.2.8-alpine', '2026-11-23T08:00:00Z', 1), update('ghcr.io/acme/api', '1.0.1', '2026-11-23T08:00:00Z', 2)],
    });
    expect(plan.changes.map((c) => [c.title, c.promotions.length])).toEqual([['chore: promote 2 images on main', 3]]);
  });
});

describe('planner: tags without an order of their own', () => {
  const SVC = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/svc';
  const config = {
    repositories: [repo],
    images: [{ image: SVC, policy: 'regex:^sha-[0-9a-f]{7}$', targets: [{ repository: 'gitops', file: 'svc.yaml', environment: 'dev' }] }],
  };
  const file = (tag: string) => `image:\n  repository: ${SVC}\n  tag: ${tag}\n`;
  const pushed: Record<string, string> = {
    'sha-d8bed4a': '2026-11-23T08:00:00Z',
    'sha-eac743d': '2026-11-23T09:00:00Z',
    'sha-1234567': '2026-11-23T10:00:00Z',
  };
  const pushedAtOf = (_image: string, tag: string) => pushed[tag];

  it('does not move a target back to an image pushed before the one it holds', () => {
    const plan = planPromotions({
      ...input(config, { 'svc.yaml': file('sha-eac743d') }, { pushedAtOf }),
      updates: [update(SVC, 'sha-d8bed4a', '2026-11-23T08:00:00Z')],
    });
    expect(plan.changes).toEqual([]);
    expect(plan.noops.map((n) => n.reason)).toEqual([
      "'sha-eac743d' is newer than 'sha-d8bed4a' under regex /^sha-[0-9a-f]{7}$/ (pushed 2026-11-23T09:00:00Z, after 'sha-d8bed4a' at 2026-11-23T08:00:00Z); not downgrading",
    ]);
  });

  it("holds a person's revert of a sha tag, and lets a newer push through", () => {
    const state: TargetState = { lastWrittenTag: 'sha-eac743d' };
    const stateOf = () => state;
    const redelivered = planPromotions({
      ...input(config, { 'svc.yaml': file('sha-d8bed4a') }, { pushedAtOf, stateOf }),
      updates: [update(SVC, 'sha-eac743d', '2026-11-23T09:00:00Z')],
    });
    expect(redelivered.changes).toEqual([]);
    expect(redelivered.noops).toEqual([expect.objectContaining({ held: true, reason: expect.stringMatching(/^held: 'sha-d8bed4a' was set back by hand/) })]);
    expect([...redelivered.states.values()]).toEqual([{ lastWrittenTag: 'sha-eac743d', heldAbove: 'sha-eac743d' }]);

    const newer = planPromotions({
      ...input(config, { 'svc.yaml': file('sha-d8bed4a') }, { pushedAtOf, stateOf: () => ({ ...state, heldAbove: 'sha-eac743d' }) }),
      updates: [update(SVC, 'sha-1234567', '2026-11-23T10:00:00Z')],
    });
    expect(newer.changes[0]?.promotions).toEqual([expect.objectContaining({ fromTag: 'sha-d8bed4a', toTag: 'sha-1234567', releasesHold: 'sha-eac743d' })]);
  });

  it('lets a new push replace a tag whose push time nobody knows', () => {
    const plan = planPromotions({
      ...input(config, { 'svc.yaml': file('sha-0000000') }, { pushedAtOf }),
      updates: [update(SVC, 'sha-d8bed4a', '2026-11-23T08:00:00Z')],
    });
    expect(plan.changes[0]?.promotions).toEqual([expect.objectContaining({ fromTag: 'sha-0000000', toTag: 'sha-d8bed4a' })]);
  });
});

describe('planner: one broken target does not block the others', () => {
  const config = {
    repositories: [repo],
    images: [
      {
        image: 'ghcr.io/acme/api',
        targets: [
          { repository: 'gitops', file: 'dev/values.yaml', environment: 'dev' },
          { repository: 'gitops', file: 'staging/values.yaml', environment: 'staging' },
          { repository: 'gitops', file: 'qa/values.yaml', environment: 'qa' },
        ],
      },
    ],
  };
  const good = 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.0.0\n';

  it('promotes the good targets and fails the broken and the oversized one, each with its reason', () => {
    const plan = planPromotions({
      ...input(config, {
        'dev/values.yaml': good,
        'staging/values.yaml': 'image: {tag: [unclosed\n',
        'qa/values.yaml': { kind: 'refused', reason: '3000000 bytes, larger than limits.maxFileBytes (2097152); not read' },
      }),
      updates: [update('ghcr.io/acme/api', '1.0.1', '2026-11-23T08:00:00Z')],
    });
    expect(plan.changes.flatMap((c) => c.promotions.map((p) => p.environment))).toEqual(['dev']);
    expect(plan.failures.map((f) => [f.environment, f.reason])).toEqual([
      ['staging', expect.stringMatching(/^staging\/values.yaml: not valid YAML: /)],
      ['qa', 'qa/values.yaml: 3000000 bytes, larger than limits.maxFileBytes (2097152); not read'],
    ]);
    expect(plan.failures.every((f) => f.envelopeIds.join() === 'e1')).toBe(true);
  });
});

describe('planner: marker files', () => {
  it('fails an update whose marker file was refused, instead of saying no target declares it', () => {
    const config = { repositories: [{ ...repo, markerFiles: ['apps/values.yaml'] }] };
    const plan = planPromotions({
      ...input(config, { 'apps/values.yaml': { kind: 'refused', reason: '9000000 bytes, larger than limits.maxFileBytes (2097152); not read' } }),
      updates: [{ ...update('ghcr.io/acme/api', '1.0.1', '2026-11-23T08:00:00Z'), route: { repository: 'gitops', branch: '*' } }],
    });
    expect(plan.noops).toEqual([]);
    expect(plan.failures.map((f) => f.reason)).toEqual(['marker file apps/values.yaml: 9000000 bytes, larger than limits.maxFileBytes (2097152); not read']);
  });
});

describe("planner: a person's hold", () => {
  const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
  const config = {
    repositories: [repo],
    images: [
      {
        image: API,
        service: 'api',
        policy: 'semver:^1',
        targets: [
          { repository: 'gitops', file: 'apps/api/dev/values.yaml', environment: 'dev' },
          { repository: 'gitops', file: 'apps/api/prod/values.yaml', environment: 'prod', mode: 'pull-request' },
        ],
      },
    ],
  };
  const values = (tag: string) => `image:\n  repository: ${API}\n  tag: ${tag}\n`;
  const files = { 'apps/api/dev/values.yaml': values('1.4.2'), 'apps/api/prod/values.yaml': values('1.4.2') };
  const hold = { by: 'alice', at: '2026-11-23T08:00:00.000Z', reason: 'release freeze' };
  const heldProd = (key: string): TargetState | undefined => (key.includes(':apps/api/prod/') ? { lastWrittenTag: '1.4.2', hold } : undefined);

  it('keeps a held target where it is, with who, since when and why, and moves the others', () => {
    const plan = planPromotions({ ...input(config, files, { stateOf: heldProd }), updates: [update(API, '1.5.0', '2026-11-23T09:00:00Z')] });
    expect(plan.changes.flatMap((c) => c.promotions.map((p) => p.environment))).toEqual(['dev']);
    expect(plan.noops).toEqual([
      expect.objectContaining({ environment: 'prod', tag: '1.5.0', reason: 'held by alice since 2026-11-23T08:00:00.000Z: release freeze' }),
    ]);
    // The hold is left as it is: no new state for the held target, so nothing overwrites it.
    expect([...plan.states.keys()].some((key) => key.includes(':apps/api/prod/'))).toBe(false);
  });

  it('names no reason when none was given, and promotes again once the hold is gone', () => {
    const { reason: _, ...noReason } = hold;
    const held = planPromotions({
      ...input(config, files, { stateOf: (key) => (key.includes(':apps/api/dev/') ? { hold: noReason } : undefined) }),
      updates: [update(API, '1.5.0', '2026-11-23T09:00:00Z')],
    });
    expect(held.noops.map((n) => `${n.environment} ${n.reason}`)).toEqual(['dev held by alice since 2026-11-23T08:00:00.000Z']);
    const released = planPromotions({ ...input(config, files), updates: [update(API, '1.5.0', '2026-11-23T09:00:00Z')] });
    expect(released.noops).toEqual([]);
    expect(released.changes.flatMap((c) => c.promotions.map((p) => p.environment)).sort()).toEqual(['dev', 'prod']);
  });
});
