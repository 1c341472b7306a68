import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCdClient } from '../../../../lambdas/clients/argocd-client';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { MemoryTagHistory } from '../../../../lambdas/clients/local/memory-tag-history';
import { slackNotifiers } from '../../../../lambdas/clients/slack-notifier';
import { type PromotionConfig, PromotionConfigSchema, type SlackDestination } from '../../../../lambdas/core/config/promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { type PromoteDeps, promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../../lambdas/providers/git-cli-provider';
import { GitHubProvider } from '../../../../lambdas/providers/github-provider';
import { imageEnvelope } from '../../../support/envelopes';
import { type FakeArgoCd, startFakeArgoCd } from '../../../support/fake-argocd';
import { startFakeGitHub } from '../../../support/fake-github';
import { type FakeSlack, startFakeSlack } from '../../../support/fake-slack';
import { createBareRepo, type PersonClone } from '../../../support/git-repo';

const REGISTRY = 'ghcr.io';
/** Set by the test that gives one target its own Slack destination. */
let teamSlackUrl = '';
const values = (repository: string, tag: string) => `image:\n  repository: ghcr.io/${repository}  # pulled by the cluster\n  tag: ${tag}\nreplicas: 2\n`;
const event = (n: number, repository: string, tag: string, pushedAt = '2026-11-23T08:00:00.000Z'): EventEnvelope => {
  const base = imageEnvelope(n, repository, REGISTRY);
  return { ...base, id: `ecr:${repository}:${tag}:${n}#0`, event: { ...base.event, tag, pushedAt } } as EventEnvelope;
};

function setup(files: Record<string, string>, configFor: (bare: string) => unknown, services: { argocd?: FakeArgoCd; slack?: FakeSlack } = {}) {
  const { bare, person } = createBareRepo(files);
  const config: PromotionConfig = PromotionConfigSchema.parse(configFor(bare));
  const states = new MemoryTargetStateStore();
  const audit = new MemoryAuditLog();
  /** Each worker has its own provider and cache, like separate Lambda instances. */
  const worker = (): PromoteDeps => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-worker-'));
    return {
      config,
      providerFor: providerCache(
        async () => undefined,
        (repo) => new GitCliProvider({ url: repo.url, cacheDir }),
      ),
      states,
      audit,
      ...(services.argocd ? { argocd: new ArgoCdClient({ url: services.argocd.url, token: services.argocd.token }) } : {}),
      ...(services.slack
        ? {
            notifierFor: slackNotifiers<SlackDestination>((d) =>
              d?.env === 'TEAM_SLACK' ? async () => teamSlackUrl : async () => services.slack?.url as string,
            ),
          }
        : {}),
      log: { warn: () => undefined },
      now: () => new Date(),
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
      maxAttempts: 20,
    };
  };
  return { bare, person, config, states, audit, worker };
}

const apiConfig = (bare: string) => ({
  repositories: [{ name: 'gitops', provider: 'git', url: bare, baseBranch: 'main' }],
  images: [
    {
      image: 'ghcr.io/octo-org/api',
      policy: 'semver:^1',
      targets: [
        { repository: 'gitops', file: 'apps/api/dev/values.yaml', environment: 'dev', argocdApplications: ['api-dev'], skipCi: true },
        { repository: 'gitops', file: 'apps/api/prod/values.yaml', environment: 'prod', mode: 'pull-request' },
      ],
    },
    { image: 'ghcr.io/octo-org/worker', targets: [{ repository: 'gitops', file: 'apps/worker/dev/values.yaml', environment: 'dev' }] },
  ],
});
const apiFiles = {
  'apps/api/dev/values.yaml': values('octo-org/api', '1.4.2'),
  'apps/api/prod/values.yaml': values('octo-org/api', '1.4.2'),
  'apps/worker/dev/values.yaml': values('octo-org/worker', '0.9.0'),
};

describe('promotion: end to end on a real bare repository', () => {
  let argocd: FakeArgoCd;
  let slack: FakeSlack;
  beforeAll(async () => {
    argocd = await startFakeArgoCd([
      { name: 'api-dev', repoURL: 'x', path: 'apps/api/dev' },
      { name: 'worker-dev', repoURL: 'x', path: 'apps/worker/dev' },
    ]);
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await argocd.close();
    await slack.close();
  });

  it('commits dev, pushes the prod PR branch, refreshes Argo CD and tells Slack', async () => {
    const { person, audit, worker } = setup(apiFiles, apiConfig, { argocd, slack });
    const result = await promoteBatch([event(1, 'octo-org/api', '1.4.3')], worker());
    expect(result.applied.map((a) => [a.change.branch, a.change.mode])).toEqual([
      ['main', 'commit'],
      ['hoist/prod/api', 'pull-request'],
    ]);
    expect(person.log()).toEqual(['chore(dev): bump api 1.4.2 -> 1.4.3 [skip ci]', 'seed']);
    expect(person.show('main', 'apps/api/dev/values.yaml')).toBe(values('octo-org/api', '1.4.3').trimEnd());
    expect(person.show('main', 'apps/api/prod/values.yaml')).toBe(values('octo-org/api', '1.4.2').trimEnd());
    expect(person.show('hoist/prod/api', 'apps/api/prod/values.yaml')).toBe(values('octo-org/api', '1.4.3').trimEnd());
    expect(argocd.refreshes).toContainEqual({ app: 'api-dev', mode: 'normal' });
    const message = slack.messages.find((m) => m.text.includes('to dev'));
    expect(message?.text).toBe('Hoist promoted api 1.4.3 to dev');
    expect(JSON.stringify(message?.blocks)).toContain('`1.4.2` → `1.4.3`');
    expect(audit.records.filter((r) => r.outcome === 'promoted')).toHaveLength(2);
  });

  it('keeps the commit when an Argo CD refresh fails, reports it, and finds applications by repository and path', async () => {
    const { person, audit, worker, bare } = setup(apiFiles, (b) => JSON.parse(JSON.stringify(apiConfig(b)).replace('"api-dev"', '"missing-app"')), {
      argocd,
      slack,
    });
    const discovering = await startFakeArgoCd([{ name: 'worker-dev', repoURL: bare, path: 'apps/worker' }]);
    try {
      const result = await promoteBatch([event(1, 'octo-org/api', '1.4.3')], worker());
      const dev = result.applied.find((a) => a.change.mode === 'commit');
      expect(dev?.refreshFailures).toEqual([
        expect.stringMatching(/^Argo CD refresh of missing-app failed: Argo CD answered 404: applications.argoproj.io "missing-app" not found/),
      ]);
      expect(person.show('main', 'apps/api/dev/values.yaml')).toContain('tag: 1.4.3');
      expect(audit.records.find((r) => r.branch === 'main')?.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/missing-app failed/)]));
      expect(JSON.stringify(slack.messages.map((m) => m.blocks))).toMatch(/missing-app failed/);

      const found = await promoteBatch([event(2, 'octo-org/worker', '0.9.1')], {
        ...worker(),
        argocd: new ArgoCdClient({ url: discovering.url, token: discovering.token, refresh: 'hard' }),
      });
      expect(found.applied).toHaveLength(1);
      expect(discovering.refreshes).toEqual([{ app: 'worker-dev', mode: 'hard' }]);
    } finally {
      await discovering.close();
    }
  });

  it('promotes targets that a repository declares itself with in-file markers', async () => {
    const marked = 'api:\n  image:\n    repository: ghcr.io/octo-org/api\n    tag: 1.4.2 # hoist: {"image": "ghcr.io/octo-org/api", "policy": "semver:^1"}\n';
    const { person, worker } = setup({ 'apps/team/values.yaml': marked }, (bare) => ({
      repositories: [{ name: 'team', provider: 'git', url: bare, markerFiles: ['apps/team/values.yaml'], markerDefaults: { environment: 'staging' } }],
    }));
    const rejected = await promoteBatch([event(1, 'octo-org/api', '2.0.0')], worker());
    expect(rejected.noops.map((n) => n.reason)).toEqual(["policy semver ^1 rejects tag '2.0.0'"]);
    const result = await promoteBatch([event(2, 'octo-org/api', '1.4.3')], worker());
    expect(result.applied[0]?.change.promotions[0]).toMatchObject({ environment: 'staging', fromTag: '1.4.2', toTag: '1.4.3' });
    expect(person.show('main', 'apps/team/values.yaml')).toBe(marked.replace('tag: 1.4.2 #', 'tag: 1.4.3 #').trimEnd());
  });

  it('announces a target with its own Slack destination there, the rest on the default', async () => {
    const team = await startFakeSlack();
    teamSlackUrl = team.url;
    try {
      const { worker } = setup(
        apiFiles,
        (b) =>
          JSON.parse(
            JSON.stringify(apiConfig(b)).replace(
              '"environment":"dev","argocdApplications"',
              '"environment":"dev","slack":{"env":"TEAM_SLACK"},"argocdApplications"',
            ),
          ),
        { slack },
      );
      const before = slack.messages.length;
      await promoteBatch([event(1, 'octo-org/api', '1.4.3'), event(2, 'octo-org/worker', '0.9.1')], worker());
      expect(team.messages.map((m) => m.text)).toEqual(['Hoist promoted api 1.4.3 to dev']);
      expect(slack.messages.slice(before).map((m) => m.text)).toEqual(['Hoist promoted worker 0.9.1 to dev', 'Hoist promoted api 1.4.3 to prod']);
    } finally {
      await team.close();
    }
  });

  it('puts two images for the same branch into one commit', async () => {
    const { person, worker } = setup(apiFiles, apiConfig);
    await promoteBatch([event(1, 'octo-org/api', '1.5.0'), event(2, 'octo-org/worker', '0.9.1')], worker());
    const [subject] = person.log();
    expect(subject).toBe('chore: promote 2 images on main [skip ci]');
    expect(person.log()).toHaveLength(2);
  });

  it('changes nothing for an older tag, a redelivery or an image nobody targets, and says why', async () => {
    const { person, audit, worker } = setup(apiFiles, apiConfig);
    const result = await promoteBatch([event(1, 'octo-org/api', '1.4.1'), event(2, 'octo-org/unknown', '1.0.0'), event(3, 'octo-org/api', '2.0.0')], worker());
    expect(result.applied).toEqual([]);
    expect(
      result.noops.map((n) => n.reason),
      JSON.stringify(result.noops),
    ).toEqual(
      expect.arrayContaining([
        'no target is configured for this image',
        "'1.4.2' is newer than '1.4.1' under semver ^1; not downgrading",
        "policy semver ^1 rejects tag '2.0.0'",
      ]),
    );
    expect(person.log()).toEqual(['seed']);
    expect(audit.records.at(-1)?.outcome).toBe('noop');
    const again = await promoteBatch([event(4, 'octo-org/worker', '0.9.0')], worker());
    expect(again.noops.map((n) => n.reason)).toEqual(["already at '0.9.0'"]);
  });

  it('promotes the good targets of an image while a broken file fails alone, recorded and told', async () => {
    const files = { ...apiFiles, 'apps/api/prod/values.yaml': 'image: {tag: [unclosed\n' };
    const { person, audit, worker } = setup(files, (b) => JSON.parse(JSON.stringify(apiConfig(b)).replace('"mode":"pull-request"', '"mode":"commit"')), {
      slack,
    });
    const before = slack.messages.length;
    const result = await promoteBatch([event(1, 'octo-org/api', '1.4.3')], worker());
    expect(person.show('main', 'apps/api/dev/values.yaml')).toContain('tag: 1.4.3');
    expect(result.failures).toEqual([
      expect.objectContaining({
        environment: 'prod',
        file: 'apps/api/prod/values.yaml',
        reason: expect.stringMatching(/not valid YAML/),
        envelopeIds: ['ecr:octo-org/api:1.4.3:1#0'],
      }),
    ]);
    expect(audit.records.map((r) => r.outcome)).toEqual(['promoted', 'failed']);
    expect(slack.messages.slice(before).map((m) => m.text)).toEqual([
      'Hoist promoted api 1.4.3 to dev',
      expect.stringMatching(
        /^Hoist could not promote ghcr.io\/octo-org\/api:1.4.3 \(needs a person; it will not be retried\): prod ghcr.io\/octo-org\/api:1.4.3: apps\/api\/prod\/values.yaml: not valid YAML/,
      ),
    ]);
  });

  it('refuses to read a target file over limits.maxFileBytes, and says so', async () => {
    const big = `${values('octo-org/worker', '0.9.0')}${'# padding\n'.repeat(200)}`;
    const { person, worker } = setup({ ...apiFiles, 'apps/worker/dev/values.yaml': big }, (b) => ({ ...apiConfig(b), limits: { maxFileBytes: 1024 } }));
    const result = await promoteBatch([event(1, 'octo-org/worker', '0.9.1')], worker());
    expect(result.failures.map((f) => f.reason)).toEqual([
      `apps/worker/dev/values.yaml: ${big.length} bytes, larger than limits.maxFileBytes (1024); not read`,
    ]);
    expect(person.log()).toEqual(['seed']);
  });

  it('never moves a sha-tagged service back to an image pushed before the one it runs', async () => {
    const shaConfig = (bare: string) => ({
      repositories: [{ name: 'gitops', provider: 'git', url: bare }],
      images: [{ image: 'ghcr.io/octo-org/svc', policy: 'regex:^sha-[0-9a-f]{7}$', targets: [{ repository: 'gitops', file: 'svc.yaml', environment: 'dev' }] }],
    });
    const { person, worker } = setup({ 'svc.yaml': values('octo-org/svc', 'sha-0000000') }, shaConfig);
    const deps = { ...worker(), tagHistory: new MemoryTagHistory() };
    await promoteBatch([event(1, 'octo-org/svc', 'sha-eac743d', '2026-11-23T09:00:00.000Z')], deps);
    expect(person.show('main', 'svc.yaml')).toContain('tag: sha-eac743d');
    // The older build's event arrives late.
    const late = await promoteBatch([event(2, 'octo-org/svc', 'sha-d8bed4a', '2026-11-23T08:00:00.000Z')], deps);
    expect(late.noops.map((n) => n.reason)).toEqual([expect.stringMatching(/^'sha-eac743d' is newer than 'sha-d8bed4a' .*not downgrading$/)]);
    expect(person.show('main', 'svc.yaml')).toContain('tag: sha-eac743d');
    // A person reverts to the older build; a redelivery of the newer one holds.
    person.change('svc.yaml', values('octo-org/svc', 'sha-d8bed4a'), 'revert svc');
    const redelivered = await promoteBatch([event(1, 'octo-org/svc', 'sha-eac743d', '2026-11-23T09:00:00.000Z')], deps);
    expect(redelivered.noops).toEqual([expect.objectContaining({ held: true })]);
    expect(person.show('main', 'svc.yaml')).toContain('tag: sha-d8bed4a');
  });

  it("lets a person's revert win until a newer image than the reverted one arrives", async () => {
    const { person, states, worker } = setup(apiFiles, apiConfig, { slack });
    const deps = worker();
    await promoteBatch([event(1, 'octo-org/api', '1.4.3')], deps);
    person.change('apps/api/dev/values.yaml', values('octo-org/api', '1.4.2'), 'revert api to 1.4.2: broken login');

    const redelivered = await promoteBatch([event(1, 'octo-org/api', '1.4.3')], deps);
    const devNoop = redelivered.noops.find((n) => n.environment === 'dev');
    expect(devNoop?.reason).toBe("held: '1.4.2' was set back by hand from '1.4.3'; waiting for an image newer than '1.4.3'");
    expect(devNoop?.held).toBe(true);
    expect(person.show('main', 'apps/api/dev/values.yaml')).toContain('tag: 1.4.2');
    expect(slack.messages.at(-1)?.text).toBe('Hoist is holding 1 target(s) where a person reverted');
    expect(JSON.stringify(slack.messages.at(-1)?.blocks)).toContain("'1.4.2' was set back by hand from '1.4.3'");

    // Still held on a later retry, and for an even older image.
    expect((await promoteBatch([event(2, 'octo-org/api', '1.4.3')], deps)).applied.filter((a) => a.change.mode === 'commit')).toEqual([]);
    expect(states.states.get(`gitops:apps/api/dev/values.yaml:dev:ghcr.io/octo-org/api#helm:image.tag`)).toEqual({
      lastWrittenTag: '1.4.3',
      heldAbove: '1.4.3',
    });

    const newer = await promoteBatch([event(3, 'octo-org/api', '1.4.4')], deps);
    const dev = newer.applied.find((a) => a.change.mode === 'commit');
    expect(dev?.change.promotions[0]).toMatchObject({ fromTag: '1.4.2', toTag: '1.4.4', releasesHold: '1.4.3' });
    expect(person.show('main', 'apps/api/dev/values.yaml')).toContain('tag: 1.4.4');
    expect(states.states.get(`gitops:apps/api/dev/values.yaml:dev:ghcr.io/octo-org/api#helm:image.tag`)).toEqual({ lastWrittenTag: '1.4.4' });
  });

  it('re-plans when a person pushes between read and commit, keeping their change', async () => {
    const { person, worker } = setup(apiFiles, apiConfig);
    const deps = worker();
    let pushed = false;
    const racing: PromoteDeps = {
      ...deps,
      providerFor: async (repo) => {
        const real = await deps.providerFor(repo);
        return {
          ...real,
          supportsPullRequests: real.supportsPullRequests,
          branchHead: (b) => real.branchHead(b),
          readFile: (c, p) => real.readFile(c, p),
          findOpenPullRequest: (b, base) => real.findOpenPullRequest(b, base),
          openPullRequest: (r) => real.openPullRequest(r),
          commit: async (request) => {
            if (!pushed) {
              pushed = true;
              person.change('apps/worker/dev/values.yaml', values('octo-org/worker', '0.9.0').replace('replicas: 2', 'replicas: 5'), 'scale worker');
            }
            return real.commit(request);
          },
        };
      },
    };
    const result = await promoteBatch([event(1, 'octo-org/worker', '0.9.5')], racing);
    expect(result.attempts).toBe(2);
    expect(person.show('main', 'apps/worker/dev/values.yaml')).toBe(values('octo-org/worker', '0.9.5').replace('replicas: 2', 'replicas: 5').trimEnd());
  });
});

describe('promotion: concurrency', () => {
  const services = Array.from({ length: 50 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  const files = Object.fromEntries(services.map((s) => [`apps/${s}/values.yaml`, values(`octo-org/${s}`, '1.0.0')]));
  const config = (bare: string) => ({
    repositories: [{ name: 'gitops', provider: 'git', url: bare }],
    images: [{ image: 'ghcr.io/octo-org/*', targets: services.map((s) => ({ repository: 'gitops', file: `apps/${s}/values.yaml`, environment: s })) }],
  });
  const tagOf = (i: number) => `1.0.${i + 1}`;
  const events = services.map((s, i) => event(i, `octo-org/${s}`, tagOf(i)));
  const expectAllLanded = (person: PersonClone) => {
    person.pull();
    for (const [i, s] of services.entries()) expect(person.show('main', `apps/${s}/values.yaml`)).toContain(`tag: ${tagOf(i)}`);
  };

  it('lands 50 events for one repository from 5 concurrent workers: every bump once, in 5 commits', async () => {
    const { person, worker } = setup(files, config);
    const batches = [0, 1, 2, 3, 4].map((w) => events.slice(w * 10, w * 10 + 10));
    const results = await Promise.all(batches.map((batch) => promoteBatch(batch, worker())));
    expectAllLanded(person);
    expect(person.log().filter((s) => s !== 'seed')).toHaveLength(5);
    expect(results.flatMap((r) => r.applied).flatMap((a) => a.change.promotions)).toHaveLength(50);
  }, 120_000);

  it('lands 50 events delivered together in one commit', async () => {
    const { person, worker } = setup(files, config);
    const result = await promoteBatch(events, worker());
    expectAllLanded(person);
    expect(person.log()).toEqual(['chore: promote 50 images on main', 'seed']);
    expect(result.applied).toHaveLength(1);
  });

  it('lands 10 single-event workers racing on one branch: 10 commits, none lost, none twice', async () => {
    const { person, worker } = setup(files, config);
    const racers = events.slice(0, 10);
    const results = await Promise.all(racers.map((e) => promoteBatch([e], worker())));
    person.pull();
    for (let i = 0; i < 10; i += 1) expect(person.show('main', `apps/${services[i]}/values.yaml`)).toContain(`tag: ${tagOf(i)}`);
    const subjects = person.log().filter((s) => s !== 'seed');
    expect(subjects).toHaveLength(10);
    expect(new Set(subjects).size).toBe(10);
    expect(results.every((r) => r.applied.length === 1)).toBe(true);
  }, 60_000);
});

describe('promotion: GitHub pull requests', () => {
  it('opens one PR for prod, and a second bump updates its branch instead of opening another', async () => {
    const gh = await startFakeGitHub('octo-org', 'gitops', { 'apps/api/prod/values.yaml': values('octo-org/api', '1.4.2') });
    try {
      const config = PromotionConfigSchema.parse({
        repositories: [{ name: 'gitops', provider: 'github', url: 'https://github.com/octo-org/gitops.git' }],
        images: [
          {
            image: 'ghcr.io/octo-org/api',
            targets: [{ repository: 'gitops', file: 'apps/api/prod/values.yaml', environment: 'prod', mode: 'pull-request', labels: ['promotion'] }],
          },
        ],
      });
      const deps: PromoteDeps = {
        config,
        providerFor: providerCache(
          async () => gh.token,
          (repo, token) => new GitHubProvider({ url: repo.url, token: token as string, apiUrl: gh.apiUrl, throttle: false, requestRetries: 0 }),
        ),
        states: new MemoryTargetStateStore(),
        audit: new MemoryAuditLog(),
        log: { warn: () => undefined },
        now: () => new Date(),
        sleep: async () => undefined,
      };
      const first = await promoteBatch([event(1, 'octo-org/api', '1.4.3')], deps);
      expect(first.applied[0]?.pullRequest).toEqual({ number: 1, url: 'https://github.com/octo-org/gitops/pull/1', branch: 'hoist/prod/api', base: 'main' });
      const second = await promoteBatch([event(2, 'octo-org/api', '1.4.4')], deps);
      expect(second.applied[0]?.pullRequest?.number).toBe(1);
      expect(gh.pulls).toHaveLength(1);
      // The open PR now says what its branch promotes: from the base branch's tag to the newest.
      expect(gh.pulls[0]).toMatchObject({ head: 'hoist/prod/api', base: 'main', title: 'chore(prod): bump api 1.4.2 -> 1.4.4', labels: ['promotion'] });
      expect(gh.messagesOf('hoist/prod/api')).toEqual(['chore(prod): bump api 1.4.3 -> 1.4.4', 'chore(prod): bump api 1.4.2 -> 1.4.3', 'seed']);
      expect(gh.fileAt('hoist/prod/api', 'apps/api/prod/values.yaml')).toContain('tag: 1.4.4');
      expect(gh.fileAt('main', 'apps/api/prod/values.yaml')).toContain('tag: 1.4.2');
      const third = await promoteBatch([event(3, 'octo-org/api', '1.4.4')], deps);
      expect(third.applied).toEqual([]);
      expect(third.noops.map((n) => n.reason)).toEqual(["already at '1.4.4'"]);
    } finally {
      await gh.close();
    }
  });
});
