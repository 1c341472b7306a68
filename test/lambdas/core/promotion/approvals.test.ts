import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog, MemoryTargetStateStore } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { SlackApprovalMessages } from '../../../../lambdas/clients/slack-approval-messages';
import { SlackWebApi } from '../../../../lambdas/clients/slack-web-api';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { type PromoteDeps, promoteBatch } from '../../../../lambdas/core/promotion/promote-batch';
import { providerCache } from '../../../../lambdas/providers/create-provider';
import { GiteaProvider } from '../../../../lambdas/providers/gitea-provider';
import { type FakeGitea, startFakeGitea } from '../../../support/fake-gitea';
import { type FakeSlackApi, startFakeSlackApi } from '../../../support/fake-slack-api';

/*
 * Prod waits for a person: its PR is opened on the Gitea fake (Gitea's
 * documented pulls API), the approval message goes to the Slack Web API fake
 * (chat.postMessage, chat.update as documented), and the decisions Slack
 * clicks queue merge or close the PR through the provider.
 */

const CHANNEL = 'C0HOISTAPP';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const values = (tag: string) => `image:\n  repository: ${IMAGE}\n  tag: "${tag}"\n`;

const configFor = (gitea: FakeGitea) =>
  parsePromotionConfig(`repositories: [{ name: gitops, provider: gitea, url: "https://gitea.example.com/platform/gitops.git", apiUrl: ${JSON.stringify(gitea.url)} }]
services:
  - name: api
    image: "*.dkr.ecr.*.amazonaws.com/team/api"
    policy: semver:^1
    repository: gitops
    file: apps/{service}/{environment}/values.yaml
    environments:
      - { name: prod, mode: pull-request, approval: slack }
slack:
  app: { botTokenEnv: SLACK_BOT, signingSecretEnv: SLACK_SIGNING, channel: ${CHANNEL}, approvers: { users: [U0ALICE] } }
`);

const push = (tag: string): EventEnvelope => ({
  id: `ecr:${tag}#0@gitops:hoist/prod/api`,
  host: 'ecr',
  deliveryId: tag,
  receivedAt: '2026-11-23T09:00:00.000Z',
  route: { repository: 'gitops', branch: 'hoist/prod/api' },
  event: {
    type: 'image.published',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    repository: 'team/api',
    tag,
    pushedAt: '2026-11-23T09:00:00.000Z',
    reportedBy: { host: 'ecr', event: 'ECR Image Action' },
  },
});

const decision = (decision: 'approve' | 'reject', head: string, ts: string): EventEnvelope => ({
  id: `slack:${decision}-${ts}#0@gitops:main`,
  host: 'slack',
  deliveryId: `${decision}-${ts}`,
  receivedAt: '2026-11-23T09:05:00.000Z',
  route: { repository: 'gitops', branch: 'main' },
  event: {
    type: 'approval.decided',
    decision,
    repository: 'gitops',
    number: 1,
    head,
    user: { id: 'U0ALICE', name: 'alice' },
    message: { channel: CHANNEL, ts },
    decidedAt: '2026-11-23T09:05:00.000Z',
  },
});

describe('environments: approvals in Slack', () => {
  let gitea: FakeGitea | undefined;
  let slack: FakeSlackApi | undefined;
  afterEach(async () => {
    await gitea?.close();
    await slack?.close();
  });

  async function setUp() {
    gitea = await startFakeGitea('platform', 'gitops', { 'apps/api/prod/values.yaml': values('1.4.2') });
    slack = await startFakeSlackApi({ token: 'xoxb-test', channels: [CHANNEL] });
    const audit = new MemoryAuditLog();
    const fake = gitea;
    const deps: PromoteDeps = {
      config: configFor(fake),
      providerFor: providerCache(
        async () => fake.token,
        (repository, token) => new GiteaProvider({ url: repository.url, token: token ?? '', apiUrl: fake.url }),
      ),
      states: new MemoryTargetStateStore(),
      audit,
      approvals: new SlackApprovalMessages(new SlackWebApi({ token: async () => 'xoxb-test', baseUrl: slack.apiUrl }), CHANNEL),
      log: { warn: () => undefined },
      now: () => new Date('2026-11-23T09:05:00Z'),
      sleep: async () => undefined,
    };
    await promoteBatch([push('1.4.3')], deps);
    const posted = slack.calls.find((c) => c.method === 'chat.postMessage');
    const [message] = [...slack.messages.values()];
    return { deps, audit, posted, message, pr: fake.pulls[0] };
  }

  it('opens the PR and posts the approval message with Approve and Reject for its head', async () => {
    const { posted, pr } = await setUp();
    expect(pr).toMatchObject({ number: 1, state: 'open', base: 'main' });
    expect(posted?.args).toMatchObject({ channel: CHANNEL, text: expect.stringContaining('api 1.4.2 -> 1.4.3 to prod (#1)') });
    const actions = JSON.stringify(posted?.args.blocks);
    expect(actions).toContain('hoist.approve');
    expect(actions).toContain('hoist.reject');
    expect(actions).toContain(gitea?.git.refs.get('hoist/prod/api'));
  });

  it('merges on Approve at the head the message showed, and records who and the merge commit', async () => {
    const { deps, audit, message } = await setUp();
    const head = gitea?.git.refs.get('hoist/prod/api') as string;
    await promoteBatch([decision('approve', head, message?.ts ?? '')], deps);
    const pr = gitea?.pulls[0];
    expect(pr?.merged?.head).toBe(head);
    expect(gitea?.git.refs.get('main')).toBe(pr?.merged?.commit);
    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toMatch(
      /^gitops #1: :white_check_mark: approved by alice at 2026-11-23T09:05:00.000Z: merged as `[0-9a-f]{8}`$/,
    );
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'approved', commit: pr?.merged?.commit, reasons: ['approved by alice'] });
  });

  it('refuses to merge when checks fail, and says so on the message', async () => {
    const { deps, message } = await setUp();
    const head = gitea?.git.refs.get('hoist/prod/api') as string;
    gitea?.setStatuses(head, [{ context: 'ci/validate', status: 'failure' }]);
    await promoteBatch([decision('approve', head, message?.ts ?? '')], deps);
    expect(gitea?.pulls[0]?.merged).toBeUndefined();
    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toContain('not carried out');
  });

  it('refuses an approval of a head that moved since the message', async () => {
    const { deps, message } = await setUp();
    await promoteBatch([decision('approve', 'f'.repeat(40), message?.ts ?? '')], deps);
    expect(gitea?.pulls[0]?.merged).toBeUndefined();
    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toContain('since this message');
  });

  const mergedOnHost = (sha: string, by: string): EventEnvelope => ({
    id: `gitea:merge-${by}#0@gitops:main`,
    host: 'gitea',
    deliveryId: `merge-${by}`,
    receivedAt: '2026-11-23T09:06:00.000Z',
    route: { repository: 'gitops', branch: 'main' },
    event: {
      type: 'change.merged',
      host: 'gitea',
      repository: 'platform/gitops',
      number: 1,
      title: 'Promote api',
      url: 'https://gitea.example.com/platform/gitops/pulls/1',
      sourceBranch: 'hoist/prod/api',
      targetBranch: 'main',
      mergeCommitSha: sha,
      mergedBy: by,
    },
  });

  it('says on the approval message when a person merges the PR on the host, as after an approval', async () => {
    const { deps, message } = await setUp();
    const head = gitea?.git.refs.get('hoist/prod/api') as string;
    const provider = new GiteaProvider({ url: 'https://gitea.example.com/platform/gitops.git', token: gitea?.token ?? '', apiUrl: gitea?.url ?? '' });
    const merged = await provider.mergePullRequest({ number: 1, expectedHead: head, message: 'merged by hand' });

    await promoteBatch([mergedOnHost(merged.sha, 'bob')], deps);

    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toMatch(
      /^gitops #1: :white_check_mark: approved by bob \(on the host\) at .*: merged as `[0-9a-f]{8}`$/,
    );
  });

  it('leaves the message of a Slack approval as it is when the host tells of the merge', async () => {
    const { deps, message } = await setUp();
    const head = gitea?.git.refs.get('hoist/prod/api') as string;
    await promoteBatch([decision('approve', head, message?.ts ?? '')], deps);
    await promoteBatch([mergedOnHost(gitea?.pulls[0]?.merged?.commit ?? '', 'hoist-bot')], deps);
    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toContain('approved by alice at');
  });

  it('closes the PR with a comment on Reject', async () => {
    const { deps, audit, message } = await setUp();
    await promoteBatch([decision('reject', gitea?.git.refs.get('hoist/prod/api') as string, message?.ts ?? '')], deps);
    expect(gitea?.pulls[0]).toMatchObject({ state: 'closed', comments: ['Rejected in Slack by alice.'] });
    expect(slack?.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toContain(':x: rejected by alice');
    expect(audit.records.at(-1)).toMatchObject({ outcome: 'rejected' });
  });
});
