import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDevSettings } from '../../dev/dev-settings';
import { type LocalDevServer, startLocalDevServer } from '../../dev/dev-wiring';
import { ecrPushEvent } from '../support/ecr-pushes';
import { type FakeGitea, startFakeGitea } from '../support/fake-gitea';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { blockActionsPayload, signedSlackRequest } from '../support/slack-actions';

/*
 * Prod waits for a person, over HTTP on the dev server: an ECR push opens
 * prod's PR on the Gitea fake (Gitea's documented pulls API) and posts the
 * approval message through the Slack Web API fake; a click Slack signed
 * (v0, its documented block_actions payload) merges the PR; Gitea's
 * pull_request webhook for the merge announces "Promoted api to prod" to the
 * Slack incoming-webhook fake.
 */

const CHANNEL = 'C0HOISTAPP';
const SIGNING = 'slack-signing-secret-for-tests';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const values = (tag: string) => `image:\n  repository: ${IMAGE}\n  tag: "${tag}"\n`;

describe('dev server: approvals in Slack', () => {
  let server: LocalDevServer | undefined;
  let gitea: FakeGitea | undefined;
  let api: FakeSlackApi | undefined;
  let slack: FakeSlack | undefined;
  afterEach(async () => {
    await server?.close();
    await gitea?.close();
    await api?.close();
    await slack?.close();
  });

  it('opens the PR with an approval message, merges it on a signed Approve, and announces the merge', async () => {
    gitea = await startFakeGitea('platform', 'gitops', { 'apps/api/prod/values.yaml': values('1.4.2') });
    api = await startFakeSlackApi({ token: 'xoxb-dev', channels: [CHANNEL] });
    slack = await startFakeSlack();
    const dir = mkdtempSync(join(tmpdir(), 'hoist-approvals-'));
    const configPath = join(dir, 'hoist.config.yaml');
    writeFileSync(
      configPath,
      `repositories: [{ name: gitops, provider: gitea, url: "https://gitea.example.com/platform/gitops.git", apiUrl: ${JSON.stringify(gitea.url)}, credentials: { env: GITEA_TOKEN } }]
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
`,
    );
    const env = {
      GITEA_TOKEN: gitea.token,
      SLACK_BOT: 'xoxb-dev',
      SLACK_SIGNING: SIGNING,
      HOIST_SLACK_API_URL: api.apiUrl,
      HOIST_SLACK_WEBHOOK_URL: slack.url,
      HOIST_WEBHOOK_SECRET_GITEA: 'gitea-secret',
    };
    server = await startLocalDevServer(readDevSettings({ ...env, HOIST_CONFIG: configPath, HOIST_WORK_DIR: join(dir, '.hoist'), PORT: '0' }), env);

    // 1. The push opens prod's PR and asks in Slack.
    const push = await fetch(`${server.url}/events/ecr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ecrPushEvent('p1', { tag: '1.4.3' })),
    });
    expect(push.status).toBe(202);
    await server.queue.drain();
    expect(gitea.pulls[0]).toMatchObject({ number: 1, state: 'open', head: 'hoist/prod/api' });
    const [message] = [...api.messages.values()];
    if (message === undefined) throw new Error('no approval message was posted');
    const actions = message.blocks.find((b) => (b as { type: string }).type === 'actions') as
      | { elements: Array<{ action_id: string; value: string }> }
      | undefined;
    const buttons = actions?.elements ?? [];
    const approve = buttons.find((b) => b.action_id === 'hoist.approve');
    expect(approve).toBeDefined();

    // 2. A person Slack signed clicks Approve.
    const payload = blockActionsPayload();
    payload.user = { id: 'U0ALICE', username: 'alice', name: 'alice' };
    payload.container = { channel_id: CHANNEL, message_ts: message?.ts ?? '' };
    payload.channel = { id: CHANNEL };
    payload.trigger_id = 'trigger-approve-1';
    payload.actions = [{ action_id: 'hoist.approve', value: approve?.value ?? '', action_ts: '1700000000.000001' }];
    payload.response_url = 'https://hooks.slack.com/actions/T0/1/abc';
    const signed = signedSlackRequest(payload, SIGNING, new Date());
    const click = await fetch(`${server.url}/slack/actions`, { method: 'POST', headers: signed.headers, body: signed.body });
    expect(click.status).toBe(200);
    await server.queue.drain();
    expect(server.queue.deadLetters).toEqual([]);
    const pr = gitea.pulls[0];
    expect(pr?.merged).toBeDefined();
    expect(gitea.git.refs.get('main')).toBe(pr?.merged?.commit);
    expect(api.messages.get(`${CHANNEL}/${message?.ts}`)?.text).toContain('approved by alice');

    // 3. Gitea tells of the merge: "Promoted api to prod".
    const merged = JSON.parse(readFileSync('test/fixtures/gitea/pull-request-merged.json', 'utf8'));
    merged.number = 1;
    merged.pull_request.number = 1;
    merged.pull_request.base.ref = 'main';
    merged.pull_request.merge_commit_sha = pr?.merged?.commit;
    merged.repository.full_name = 'platform/gitops';
    merged.repository.clone_url = 'https://gitea.example.com/platform/gitops.git';
    const body = JSON.stringify(merged);
    const hook = await fetch(`${server.url}/webhooks/gitea`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitea-event': 'pull_request',
        'x-gitea-delivery': 'merge-1',
        'x-gitea-signature': createHmac('sha256', 'gitea-secret').update(body).digest('hex'),
      },
      body,
    });
    expect(hook.status).toBe(202);
    await server.queue.drain();
    expect(slack.messages.map((m) => m.text)).toContainEqual(expect.stringMatching(/^Promoted api to prod, merged by reviewer/));
  });
});
