import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCdClient } from '../../../../lambdas/clients/argocd-client';
import { GitHostCommitHistory } from '../../../../lambdas/clients/git-host-commit-history';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { MemoryTagHistory } from '../../../../lambdas/clients/local/memory-tag-history';
import { slackNotifiers } from '../../../../lambdas/clients/slack-notifier';
import { type PromotionConfig, PromotionConfigSchema, type SlackDestination } from '../../../../lambdas/core/config/promotion-config';
import type { EventEnvelope, HoistEvent } from '../../../../lambdas/core/events';
import { buildEnvelopes } from '../../../../lambdas/core/intake/enqueue-once';
import { parseGitHubDelivery } from '../../../../lambdas/core/intake/parse-github-delivery';
import { parseGitLabDelivery } from '../../../../lambdas/core/intake/parse-gitlab-delivery';
import type { PromotionOutcome, PromotionOutcomeStore } from '../../../../lambdas/core/ports';
import { commitOfTag } from '../../../../lambdas/core/promotion/commit-of-tag';
import { renderTagTemplate } from '../../../../lambdas/core/promotion/git-triggers';
import { type PromoteDeps, promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { workOf } from '../../../../lambdas/core/promotion/triggers';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GitCliProvider } from '../../../../lambdas/providers/git-cli-provider';
import { GitHubProvider } from '../../../../lambdas/providers/github-provider';
import { type FakeArgoCd, startFakeArgoCd } from '../../../support/fake-argocd';
import { startFakeGitHub } from '../../../support/fake-github';
import { startFakeGitLab } from '../../../support/fake-gitlab';
import { type FakeSlack, startFakeSlack } from '../../../support/fake-slack';
import { createBareRepo } from '../../../support/git-repo';
import { fixture, githubExamples } from '../../../support/webhook-examples';

const IMAGE = 'registry.gitlab.com/gitlab-org/gitlab-test';
const SHA = 'bcbb5ec396a2c0f828686f14fac9b80b780504f2';

/** The GitLab docs' Pipeline Hook example (test/fixtures/gitlab/pipeline.json): gitlab-org/gitlab-test, master, success. */
function pipelineEvent(): HoistEvent {
  const outcome = parseGitLabDelivery('Pipeline Hook', structuredClone(fixture('gitlab/pipeline.json')));
  if (outcome.kind !== 'events' || outcome.events[0] === undefined) throw new Error('the pipeline fixture parses to no event');
  return outcome.events[0];
}

const deployment = (tag: string) => `image:\n  repository: ${IMAGE}\n  tag: ${tag}\n`;
const configMap = (sha: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: model\ndata:\n  MODEL_SHA: "${sha}" # checked by the model server\n  MODEL_OBJECT: ml-models/old.joblib\n`;

function configFor(bare: string, from: Record<string, unknown>): PromotionConfig {
  return PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'git', url: bare }],
    images: [
      {
        image: IMAGE,
        service: 'health-demo',
        policy: 'latest',
        from: [{ host: 'gitlab', repository: 'gitlab-org/gitlab-test', on: 'ci.succeeded', branches: ['master'], tag: '{sha:8}', verify: 'none', ...from }],
        targets: [
          { repository: 'gitops', file: '.cicd/dev.yaml', environment: 'dev', skipCi: true },
          {
            repository: 'gitops',
            file: '.cicd/model.yaml',
            environment: 'dev',
            setOnly: true,
            set: { 'data.MODEL_SHA': '{tag}', 'data.MODEL_OBJECT': 'ml-models/iris-{tag}.joblib' },
          },
        ],
      },
    ],
  });
}

function depsFor(config: PromotionConfig, extra: Partial<PromoteDeps> = {}): PromoteDeps {
  const cacheDir = mkdtempSync(join(tmpdir(), 'hoist-trigger-'));
  return {
    config,
    providerFor: providerCache(
      async () => undefined,
      (repo) => new GitCliProvider({ url: repo.url, cacheDir }),
    ),
    states: new MemoryTargetStateStore(),
    audit: new MemoryAuditLog(),
    log: { warn: () => undefined },
    now: () => new Date('2026-11-23T08:00:30Z'),
    sleep: async () => undefined,
    ...extra,
  };
}

const envelopesOf = (config: PromotionConfig, event: HoistEvent, id = 'd1'): EventEnvelope[] =>
  buildEnvelopes('gitlab', id, new Date('2026-11-23T08:00:00Z'), [event], (e) => workOf(config, e)).envelopes;

describe('triggers: tag templates', () => {
  it('renders {sha} {sha:N} {branch} {tag} {tag#v}, and refuses what is no valid tag', () => {
    expect(renderTagTemplate('{sha:8}', { sha: SHA })).toBe('bcbb5ec3');
    expect(renderTagTemplate('sha-{sha:7}', { sha: SHA })).toBe('sha-bcbb5ec');
    expect(renderTagTemplate('{tag#v}', { sha: SHA, tag: 'v1.4.2' })).toBe('1.4.2');
    expect(renderTagTemplate('{branch}-{sha:7}', { sha: SHA, branch: 'main' })).toBe('main-bcbb5ec');
    expect(renderTagTemplate('{branch}', { sha: SHA, branch: 'feature/x' })).toBeUndefined();
    expect(renderTagTemplate('{tag}', { sha: SHA })).toBeUndefined();
  });

  it('reads the commit back out of a tag whose template holds only {sha} or {sha:N}', () => {
    expect(commitOfTag('sha-{sha:7}', 'sha-eac743d')).toBe('eac743d');
    expect(commitOfTag('{sha:8}', 'bcbb5ec3')).toBe('bcbb5ec3');
    expect(commitOfTag('{sha}', SHA)).toBe(SHA);
    expect(commitOfTag('{sha:7}-{sha}', `bcbb5ec-${SHA}`)).toBe(SHA);
    expect(commitOfTag('{sha:7}-{sha}', `0a0a0a0-${SHA}`)).toBeUndefined();
    expect(commitOfTag('{sha:8}', '1.4.2')).toBeUndefined();
    expect(commitOfTag('sha-{sha:7}', 'sha-eac743d9')).toBeUndefined();
    expect(commitOfTag('{branch}-{sha:7}', 'main-bcbb5ec')).toBeUndefined();
    expect(commitOfTag('{tag#v}', '1.4.2')).toBeUndefined();
    expect(commitOfTag('{sha:3}', 'bcb')).toBeUndefined();
  });
});

describe('triggers: a GitLab pipeline promotes the image it built', () => {
  it('routes the pipeline to the GitOps branch, and refuses a repository that is not in from', () => {
    const config = configFor('/x', {});
    expect(workOf(config, pipelineEvent())).toEqual({ kind: 'promote', routes: [{ repository: 'gitops', branch: 'main' }] });
    const foreign = { ...pipelineEvent(), repository: 'someone/else' } as HoistEvent;
    expect(workOf(config, foreign)).toEqual({ kind: 'none', reason: "no image lists this CI run of gitlab someone/else in its 'from'" });
    const otherBranch = configFor('/x', { branches: ['main'] });
    expect(workOf(otherBranch, pipelineEvent())).toEqual({ kind: 'none', reason: `${IMAGE}: CI run on 'master', not on main` });
    const otherPipeline = configFor('/x', { pipeline: 'build' });
    expect(workOf(otherPipeline, pipelineEvent())).toEqual({ kind: 'none', reason: `${IMAGE}: pipeline 'Pipeline for branch: master' is not 'build'` });
  });

  it('writes the tag and the model values in one [skip ci] commit', async () => {
    const { bare, person } = createBareRepo({ '.cicd/dev.yaml': deployment('0a0a0a0a'), '.cicd/model.yaml': configMap('0a0a0a0a') });
    const config = configFor(bare, {});
    const result = await promoteBatch(envelopesOf(config, pipelineEvent()), depsFor(config));
    expect(result.failures).toEqual([]);
    expect(person.log()).toEqual(['chore(dev): bump health-demo 0a0a0a0a -> bcbb5ec3 [skip ci]', 'seed']);
    expect(person.show('main', '.cicd/dev.yaml')).toBe(deployment('bcbb5ec3').trimEnd());
    expect(person.show('main', '.cicd/model.yaml')).toBe(configMap('bcbb5ec3').replace('ml-models/old.joblib', 'ml-models/iris-bcbb5ec3.joblib').trimEnd());
    // The same pipeline again changes nothing.
    const again = await promoteBatch(envelopesOf(config, pipelineEvent(), 'd2'), depsFor(config));
    expect(again.applied).toEqual([]);
    expect(again.noops.map((n) => n.reason).sort()).toEqual(["already at 'bcbb5ec3'", "values in .cicd/model.yaml already match 'bcbb5ec3'"]);
  });

  it('promotes a semver Git tag push as the image tag, without its leading v', async () => {
    const { bare, person } = createBareRepo({ '.cicd/dev.yaml': deployment('0.9.0'), '.cicd/model.yaml': configMap('0.9.0') });
    const config = PromotionConfigSchema.parse({
      ...configFor(bare, {}),
      images: [
        {
          ...configFor(bare, {}).images[0],
          policy: 'semver',
          from: [{ host: 'gitlab', repository: 'jsmith/example', on: 'tag.pushed', tag: '{tag#v}', verify: 'none' }],
        },
      ],
    });
    const outcome = parseGitLabDelivery('Tag Push Hook', structuredClone(fixture('gitlab/tag-push.json')));
    if (outcome.kind !== 'events' || outcome.events[0] === undefined) throw new Error('no tag push event');
    await promoteBatch(envelopesOf(config, outcome.events[0]), depsFor(config));
    expect(person.show('main', '.cicd/dev.yaml')).toContain('tag: 1.0.0');
  });
});

describe('triggers: a GitHub Actions build opens one PR for ten tag paths in three files', () => {
  it('bumps every path to sha-<7> in one commit on one PR branch', async () => {
    const run = githubExamples('workflow_run').find((e) => e.action === 'completed' && e.workflow_run?.conclusion === 'success');
    if (run === undefined) throw new Error('no successful workflow_run example');
    const outcome = parseGitHubDelivery('workflow_run', structuredClone(run), new Date('2026-11-23T08:00:00Z'));
    if (outcome.kind !== 'events' || outcome.events[0] === undefined) throw new Error('the workflow_run example parses to no event');
    const image = 'ghcr.io/octo-org/octo-repo';
    const paths = ['api', 'worker', 'cron', 'migrate'];
    const chart = (keys: readonly string[]) => keys.map((k) => `${k}:\n  image:\n    repository: ${image}\n    tag: sha-0000000\n`).join('');
    const files = { 'prod/a.yaml': chart(paths), 'prod/b.yaml': chart(paths), 'prod/c.yaml': chart(['api', 'worker']) };
    const gh = await startFakeGitHub('octo-org', 'gitops', files);
    try {
      const config = PromotionConfigSchema.parse({
        repositories: [{ name: 'gitops', provider: 'github', url: 'https://github.com/octo-org/gitops.git' }],
        images: [
          {
            image,
            service: 'octo',
            policy: 'latest',
            from: [{ host: 'github', repository: 'octo-org/octo-repo', on: 'ci.succeeded', pipeline: 'test', tag: 'sha-{sha:7}', verify: 'none' }],
            targets: Object.entries({ 'prod/a.yaml': paths, 'prod/b.yaml': paths, 'prod/c.yaml': ['api', 'worker'] }).flatMap(([file, keys]) =>
              keys.map((key) => ({
                repository: 'gitops',
                file,
                environment: 'prod',
                mode: 'pull-request',
                edit: { kind: 'helm', tagPath: `${key}.image.tag` },
              })),
            ),
          },
        ],
      });
      const deps: PromoteDeps = {
        ...depsFor(config),
        providerFor: providerCache(
          async () => gh.token,
          (repo, token) => new GitHubProvider({ url: repo.url, token: token as string, apiUrl: gh.apiUrl, throttle: false, requestRetries: 0 }),
        ),
      };
      const result = await promoteBatch(envelopesOf(config, outcome.events[0]), deps);
      const tag = `sha-${String(run.workflow_run.head_sha).slice(0, 7)}`;
      expect(result.applied).toHaveLength(1);
      expect(result.applied[0]?.change.promotions).toHaveLength(10);
      expect(result.applied[0]?.change.files.map((f) => f.path).sort()).toEqual(['prod/a.yaml', 'prod/b.yaml', 'prod/c.yaml']);
      expect(gh.pulls).toHaveLength(1);
      expect(gh.messagesOf('hoist/prod/octo')).toEqual([`chore(prod): bump octo sha-0000000 -> ${tag}`, 'seed']);
      for (const path of Object.keys(files)) {
        expect(gh.fileAt('hoist/prod/octo', path)).toBe(files[path as keyof typeof files].replaceAll('sha-0000000', tag));
      }
    } finally {
      await gh.close();
    }
  });
});

describe('triggers: tags built from commits are ordered by Git ancestry', () => {
  /** gitlab-org/gitlab-test on a local GitLab: main is seed ← c1 ← c2 ← c3 ← c4, and `side` branches off c2; the GitOps file holds c1's build. */
  async function ancestryRig() {
    const gitlab = await startFakeGitLab('gitlab-org/gitlab-test', { 'app.txt': 'seed' });
    const commitOn = (parent: string, message: string) => {
      const sha = gitlab.git.commitAfter(parent, message);
      gitlab.git.refs.set('main', sha);
      return sha;
    };
    const c1 = commitOn(gitlab.git.refs.get('main') as string, 'c1');
    const c2 = commitOn(c1, 'c2');
    const c3 = commitOn(c2, 'c3');
    const side = gitlab.git.commitAfter(c2, 'side');
    const c4 = commitOn(c3, 'c4');
    const tag = (sha: string) => sha.slice(0, 8);
    const { bare, person } = createBareRepo({ '.cicd/dev.yaml': deployment(tag(c1)), '.cicd/model.yaml': configMap(tag(c1)) });
    const config = configFor(bare, { apiUrl: gitlab.url, credentials: { env: 'GITLAB_TOKEN' } });
    const deps = depsFor(config, {
      tagHistory: new MemoryTagHistory(),
      commitHistory: new GitHostCommitHistory({ token: async () => gitlab.token }),
    });
    const runOf = (sha: string, id: string, at: string) =>
      buildEnvelopes('gitlab', id, new Date(at), [{ ...pipelineEvent(), sha } as HoistEvent], (e) => workOf(config, e)).envelopes;
    return { gitlab, commits: { c2, c3, c4, side }, tag, person, deps, runOf };
  }

  it('keeps a newer commit against a late CI run of an older one, and takes a descendant', async () => {
    const { gitlab, commits, tag, person, deps, runOf } = await ancestryRig();
    const { c2, c3, c4, side } = commits;
    try {
      await promoteBatch(runOf(c3, 'd1', '2026-11-23T08:00:00Z'), deps);
      expect(person.show('main', '.cicd/dev.yaml')).toBe(deployment(tag(c3)).trimEnd());

      // c2's run reports after c3's: its tag is the later push, but c3 descends from c2.
      const late = await promoteBatch(runOf(c2, 'd2', '2026-11-23T08:05:00Z'), deps);
      expect(late.applied).toEqual([]);
      expect(late.noops.map((n) => n.reason).sort()).toEqual([
        `'${tag(c3)}' (commit ${tag(c3)}) descends from ${tag(c2)}'s commit ${tag(c2)}; not going back`,
        `values: '${tag(c3)}' (commit ${tag(c3)}) descends from ${tag(c2)}'s commit ${tag(c2)}; not going back`,
      ]);
      expect(person.show('main', '.cicd/dev.yaml')).toBe(deployment(tag(c3)).trimEnd());

      // A build of a side line that does not contain c3 does not move the target either.
      const diverged = await promoteBatch(runOf(side, 'd3', '2026-11-23T08:06:00Z'), deps);
      expect(diverged.applied).toEqual([]);
      expect(diverged.noops[0]?.reason).toBe(
        `'${tag(side)}' (commit ${tag(side)}) and '${tag(c3)}' (commit ${tag(c3)}) have diverged: neither descends from the other; not moving`,
      );

      await promoteBatch(runOf(c4, 'd4', '2026-11-23T08:07:00Z'), deps);
      expect(person.show('main', '.cicd/dev.yaml')).toBe(deployment(tag(c4)).trimEnd());
      expect(person.show('main', '.cicd/model.yaml')).toContain(`MODEL_SHA: "${tag(c4)}"`);
      expect(person.log()[0]).toBe(`chore(dev): bump health-demo ${tag(c3)} -> ${tag(c4)} [skip ci]`);
    } finally {
      await gitlab.close();
    }
  });

  it('takes the descendant among the runs of one batch, even when an older commit reported last', async () => {
    const { gitlab, commits, tag, person, deps, runOf } = await ancestryRig();
    const { c2, c3 } = commits;
    try {
      const result = await promoteBatch([...runOf(c3, 'd1', '2026-11-23T08:00:00Z'), ...runOf(c2, 'd2', '2026-11-23T08:05:00Z')], deps);
      expect(result.failures).toEqual([]);
      expect(person.show('main', '.cicd/dev.yaml')).toBe(deployment(tag(c3)).trimEnd());
      expect(person.show('main', '.cicd/model.yaml')).toContain(`MODEL_SHA: "${tag(c3)}"`);
      expect(result.applied.flatMap((a) => a.change.promotions.map((p) => p.toTag))).toEqual([tag(c3), tag(c3)]);
    } finally {
      await gitlab.close();
    }
  });
});

describe('triggers: a CI job asks through POST /promotions', () => {
  it('writes the image and the model values in one commit and records the outcome for the job to poll', async () => {
    const { bare, person } = createBareRepo({ '.cicd/dev.yaml': deployment('1.0.0'), '.cicd/model.yaml': configMap('old') });
    const base = configFor(bare, {});
    const config = PromotionConfigSchema.parse({
      ...base,
      images: [
        {
          ...base.images[0],
          policy: 'semver',
          from: [],
          targets: [
            base.images[0]?.targets[0],
            { ...base.images[0]?.targets[1], set: { 'data.MODEL_SHA': '{values.MODEL_SHA}', 'data.MODEL_OBJECT': 'ml-models/iris-{tag}.joblib' } },
          ],
        },
      ],
    });
    const outcomes = new Map<string, PromotionOutcome>();
    const store: PromotionOutcomeStore = { put: async (o) => void outcomes.set(o.id, o), get: async (id) => outcomes.get(id) };
    const request: HoistEvent = {
      type: 'promotion.requested',
      registry: 'registry.gitlab.com',
      repository: 'gitlab-org/gitlab-test',
      tag: '1.1.0',
      values: { MODEL_SHA: '5f3a9c' },
      source: 'gitlab pipeline 42',
      requestedAt: '2026-11-23T08:00:00Z',
    };
    const envelopes = buildEnvelopes('ci', 'req-1', new Date('2026-11-23T08:00:00Z'), [request], (e) => workOf(config, e)).envelopes;
    await promoteBatch(envelopes, depsFor(config, { outcomes: store }));
    expect(person.show('main', '.cicd/model.yaml')).toContain('MODEL_SHA: "5f3a9c" # checked by the model server');
    expect(person.show('main', '.cicd/model.yaml')).toContain('MODEL_OBJECT: ml-models/iris-1.1.0.joblib');
    expect(person.show('main', '.cicd/dev.yaml')).toContain('tag: 1.1.0');
    expect(outcomes.get('req-1')).toMatchObject({ id: 'req-1', status: 'promoted', changes: [{ repository: 'gitops', branch: 'main' }], reasons: [] });

    // A request without the value a template needs fails that target with the reason.
    const missing = buildEnvelopes('ci', 'req-2', new Date('2026-11-23T08:00:00Z'), [{ ...request, tag: '1.2.0', values: {} }], (e) =>
      workOf(config, e),
    ).envelopes;
    await promoteBatch(missing, depsFor(config, { outcomes: store }));
    expect(outcomes.get('req-2')).toMatchObject({
      status: 'failed',
      reasons: ["'{values.MODEL_SHA}' needs values.MODEL_SHA, which gitlab pipeline 42 did not give"],
    });
  });
});

describe('triggers: GitOps repositories relay to Argo CD and Slack', () => {
  let argocd: FakeArgoCd;
  let slack: FakeSlack;
  const REPO = 'https://github.com/octo-org/gitops.git';
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'github', url: REPO }],
    images: [
      {
        image: 'ghcr.io/octo-org/api',
        targets: [
          { repository: 'gitops', file: 'apps/api/dev/values.yaml', environment: 'dev' },
          { repository: 'gitops', file: 'apps/api/prod/values.yaml', environment: 'prod', mode: 'pull-request', argocdApplications: ['api-prod'] },
        ],
      },
    ],
    argocd: { url: 'https://argocd.example.com' },
  });
  beforeAll(async () => {
    argocd = await startFakeArgoCd([
      { name: 'api-dev', repoURL: REPO, path: 'apps/api/dev' },
      { name: 'api-prod', repoURL: REPO, path: 'apps/api/prod' },
      { name: 'web-dev', repoURL: REPO, path: 'apps/web/dev' },
    ]);
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await argocd.close();
    await slack.close();
  });
  const relayDeps = (audit = new MemoryAuditLog()): PromoteDeps => ({
    ...depsFor(config),
    audit,
    argocd: new ArgoCdClient({ url: argocd.url, token: argocd.token }),
    notifierFor: slackNotifiers<SlackDestination>(() => async () => slack.url),
  });

  it("refreshes the applications whose path a person's push changed, and only those", async () => {
    const push: HoistEvent = {
      type: 'git.push',
      host: 'github',
      repository: 'octo-org/gitops',
      ref: 'refs/heads/main',
      refType: 'branch',
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      changedPaths: ['apps/api/dev/values.yaml', 'README.md'],
      changedPathsTruncated: false,
      author: 'person',
    };
    expect(workOf(config, push)).toEqual({ kind: 'relay', routes: [{ repository: 'gitops', branch: 'main' }] });
    expect(workOf(config, { ...push, ref: 'refs/heads/hoist/prod/api' })).toMatchObject({ kind: 'none' });
    const before = argocd.refreshes.length;
    const audit = new MemoryAuditLog();
    await promoteBatch(envelopesOf(config, push), relayDeps(audit));
    expect(argocd.refreshes.slice(before)).toEqual([{ app: 'api-dev', mode: 'normal' }]);
    expect(audit.records.map((r) => [r.outcome, r.reasons?.[0]])).toEqual([['refreshed', 'Argo CD refreshed: api-dev']]);
  });

  it('announces a merged Hoist pull request: refresh, Slack with who merged it, audit', async () => {
    const merged: HoistEvent = {
      type: 'change.merged',
      host: 'github',
      repository: 'octo-org/gitops',
      number: 7,
      title: 'chore(prod): bump api 1.4.2 -> 1.4.3',
      url: 'https://github.com/octo-org/gitops/pull/7',
      sourceBranch: 'hoist/prod/api',
      targetBranch: 'main',
      mergedBy: 'octocat',
    };
    expect(workOf(config, { ...merged, sourceBranch: 'feature/readme' })).toEqual({
      kind: 'none',
      reason: "'feature/readme' is not a branch Hoist opens pull requests from",
    });
    const before = argocd.refreshes.length;
    const audit = new MemoryAuditLog();
    await promoteBatch(envelopesOf(config, merged), relayDeps(audit));
    expect(argocd.refreshes.slice(before)).toEqual([{ app: 'api-prod', mode: 'normal' }]);
    expect(slack.messages.at(-1)?.text).toBe('Promoted api to prod, merged by octocat');
    expect(audit.records.map((r) => [r.outcome, r.pullRequestUrl])).toEqual([['merged', 'https://github.com/octo-org/gitops/pull/7']]);
  });
});
