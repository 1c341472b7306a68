import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { createLocalPromoter } from '../../dev/dev-wiring';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../lambdas/clients/local/memory-promotion-stores';
import { ecrPushEvent } from '../support/ecr-pushes';
import { type FakeArgoCd, startFakeArgoCd } from '../support/fake-argocd';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { createBareRepo, git, type PersonClone } from '../support/git-repo';

/*
 * dev → staging → prod on the dev server: an ECR push commits to dev; the
 * fake Argo CD (its documented Application status) reports dev Synced to that
 * commit and Healthy; after the soak staging follows; prod, which follows
 * staging without a health gate, gets its proposal branch. The clock is the
 * test's: gates are looked at when the test says, nothing waits on time.
 */

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const values = (tag: string) => `image:\n  repository: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api\n  tag: "${tag}"\n`;

const chainConfig = (
  bare: string,
  gate = '{ healthy: true, soak: 10m, timeout: 30m, every: 30s }',
) => `repositories: [{ name: gitops, provider: git, url: ${JSON.stringify(bare)} }]
services:
  - name: api
    image: "*.dkr.ecr.*.amazonaws.com/team/api"
    policy: semver:^1
    repository: gitops
    file: apps/{service}/{environment}/values.yaml
    environments:
      - { name: dev, mode: commit }
      - { name: staging, mode: commit, after: dev, gate: ${gate} }
      - { name: prod, mode: pull-request, after: staging }
`;

describe('dev server: environments in order', () => {
  let server: DevServer | undefined;
  let argocd: FakeArgoCd | undefined;
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await server?.close();
    await argocd?.close();
    await slack?.close();
  });

  async function start(gate?: string) {
    const repo = createBareRepo({
      'README.md': 'gitops\n',
      'apps/api/dev/values.yaml': values('1.4.2'),
      'apps/api/staging/values.yaml': values('1.4.2'),
      'apps/api/prod/values.yaml': values('1.4.2'),
    });
    argocd = await startFakeArgoCd(['dev', 'staging', 'prod'].map((env) => ({ name: `api-${env}`, repoURL: repo.bare, path: `apps/api/${env}` })));
    slack = await startFakeSlack();
    const configPath = join(mkdtempSync(join(tmpdir(), 'hoist-chain-')), 'hoist.config.yaml');
    writeFileSync(configPath, chainConfig(repo.bare, gate));
    let clock = new Date('2026-11-23T09:00:00Z');
    const audit = new MemoryAuditLog();
    const env = { HOIST_ARGOCD_URL: argocd.url, HOIST_ARGOCD_TOKEN: argocd.token, HOIST_SLACK_WEBHOOK_URL: slack.url };
    const states = new MemoryTargetStateStore();
    const promoter = createLocalPromoter({ configPath, env, audit, states, now: () => clock, gateTimers: false });
    server = await startDevServer({ port: 0, env, consume: promoter.consume, workOf: promoter.workOf });
    promoter.bindQueue(server.queue);
    const push = async (tag: string) => {
      const res = await fetch(`${server?.url}/events/ecr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ecrPushEvent(`push-${tag}`, { tag })),
      });
      expect(res.status).toBe(202);
      await server?.queue.drain();
    };
    const later = async (seconds: number) => {
      clock = new Date(clock.getTime() + seconds * 1000);
      const ran = await promoter.gates.runDue();
      await server?.queue.drain();
      return ran;
    };
    const gateOn = async (environment: string) => {
      const key = `gitops:apps/api/${environment}/values.yaml:${environment}:${IMAGE}#helm:image.tag`;
      return (await states.get([key])).get(key)?.gate;
    };
    return { repo, push, later, gates: promoter.gates, audit, person: repo.person as PersonClone, gateOn };
  }

  const tagIn = (person: PersonClone, ref: string, env: string) => /tag: "?([^"\n]+)"?/.exec(person.show(ref, `apps/api/${env}/values.yaml`))?.[1];

  it('commits to dev, waits for dev to be synced and healthy for the soak, then staging follows and prod gets its proposal', async () => {
    const { push, later, gates, person, repo, gateOn } = await start();
    await push('1.4.3');
    expect(tagIn(person, 'main', 'dev')).toBe('1.4.3');
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    expect(gates.pending.map((p) => p.check.environment)).toEqual(['staging']);

    // Argo CD has not synced the commit yet: the gate waits.
    await later(30);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    const devCommit = git(repo.person.dir, 'rev-parse', 'origin/main');
    argocd?.setStatus('api-dev', { sync: 'Synced', revision: devCommit, health: 'Healthy' });
    await later(30);
    await later(300);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    // `hoist status` shows the wait on the target it stands before.
    expect(await gateOn('staging')).toMatchObject({ tag: '1.4.3', after: 'dev', reason: 'dev healthy for 300 s of 600 s' });
    await later(300);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.3');
    expect(await gateOn('staging')).toBeUndefined();

    // Prod follows staging without a health gate: its proposal branch, main untouched.
    await later(0);
    expect(tagIn(person, 'hoist/prod/api', 'prod')).toBe('1.4.3');
    expect(tagIn(person, 'main', 'prod')).toBe('1.4.2');
  });

  it('lets staging follow when Argo CD runs a later commit that still carries the tag', async () => {
    const { push, later, person, repo } = await start('{ healthy: true, soak: 0s, timeout: 30m, every: 30s }');
    await push('1.4.3');
    // A person's commit lands on main after the bump; Argo CD syncs to it.
    person.change('README.md', 'gitops, see docs\n', 'docs');
    const later1 = git(repo.person.dir, 'rev-parse', 'origin/main');
    argocd?.setStatus('api-dev', { sync: 'Synced', revision: later1, health: 'Healthy' });
    await later(30);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.3');
  });

  it('holds staging through its freeze window, says so once, and promotes when the window closes', async () => {
    const { push, later, person, repo, audit } = await start(
      '{ healthy: true, soak: 0s, timeout: 30m, every: 30s }, freeze: [{ cron: "0 9 * * 1", duration: 2h, timezone: UTC }]',
    );
    await push('1.4.3');
    git(repo.person.dir, 'fetch', '--quiet', 'origin');
    argocd?.setStatus('api-dev', { sync: 'Synced', revision: git(repo.person.dir, 'rev-parse', 'origin/main'), health: 'Healthy' });
    await later(30);
    await later(900);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    const told = slack?.messages.filter((m) => m.text.startsWith('Hoist holds api 1.4.3 before staging')) ?? [];
    expect(told.map((m) => m.text)).toEqual(['Hoist holds api 1.4.3 before staging: staging is frozen until 2026-11-23T11:00:00.000Z (0 9 * * 1 UTC)']);
    expect(audit.records.filter((r) => r.outcome === 'noop' && r.reasons?.[0]?.includes('frozen'))).toHaveLength(1);
    for (let i = 0; i < 8; i += 1) await later(900);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.3');
  });

  it('does not promote staging when dev is Degraded, and says why in Slack and audit', async () => {
    const { push, later, person, repo, audit } = await start();
    await push('1.4.3');
    argocd?.setStatus('api-dev', { sync: 'Synced', revision: git(repo.person.dir, 'rev-parse', 'origin/main'), health: 'Degraded' });
    await later(30);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'gate-failed', reasons: ['api-dev is Degraded in dev; staging does not follow'] });
    expect(slack?.messages.at(-1)?.text).toBe('Hoist did not promote api 1.4.3 to staging: api-dev is Degraded in dev; staging does not follow');
  });

  it('gives up at the timeout when dev never syncs, and says so', async () => {
    const { push, later, person, audit } = await start('{ healthy: true, soak: 1m, timeout: 2m, every: 60s }');
    await push('1.4.3');
    await later(60);
    await later(60);
    expect(tagIn(person, 'main', 'staging')).toBe('1.4.2');
    expect(audit.records.at(-1)).toMatchObject({
      outcome: 'gate-failed',
      reasons: [expect.stringMatching(/^timed out waiting for dev: api-dev is OutOfSync/)],
    });
  });
});
