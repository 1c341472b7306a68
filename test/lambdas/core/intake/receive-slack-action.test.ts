import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CachedSlackDirectory } from '../../../../lambdas/clients/cached-slack-directory';
import { InProcessQueue } from '../../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../../lambdas/clients/local/memory-delivery-ledger';
import { MemoryAuditLog } from '../../../../lambdas/clients/local/memory-promotion-stores';
import { SlackResponseUrlResponder } from '../../../../lambdas/clients/slack-response-url';
import { SlackWebApi } from '../../../../lambdas/clients/slack-web-api';
import { parsePromotionConfig } from '../../../../lambdas/core/config/parse-promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { type ReceiveSlackActionDeps, receiveSlackAction } from '../../../../lambdas/core/intake/receive-slack-action';
import { workOf } from '../../../../lambdas/core/promotion/triggers';
import { PayloadTooLargeError, SignatureError, TerminalError, ValidationError } from '../../../../lambdas/shared/errors';
import { type FakeSlackApi, startFakeSlackApi } from '../../../support/fake-slack-api';
import { rejectionOf } from '../../../support/rejection-of';
import { type BlockActionsFixture, blockActionsPayload, signedSlackRequest, slackSignatureOf } from '../../../support/slack-actions';

const SECRET = 'slack-signing-secret';
const TOKEN = 'xoxb-bot-token';
const NOW = new Date('2026-11-23T08:00:00Z');
/** The fixture's clicker, channel, message and trigger. */
const CLICKER = 'UA8RXUSPL';
const CHANNEL = 'CBR2V3XEX';
const TRIGGER = '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3';
const HEAD = '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';
const GROUP = 'S0614TZR7';
const GROUP_MEMBER = 'U060RNRCZ';

/** The real routing: approvals of `gitops` go to its base branch. */
const config = parsePromotionConfig(`
repositories: [{ name: gitops, provider: github, url: https://github.com/acme/gitops.git, baseBranch: main }]
slack:
  app:
    signingSecretEnv: SLACK_SIGNING_SECRET
    botTokenEnv: SLACK_BOT_TOKEN
    channel: ${CHANNEL}
    approvers: { users: [U0ALICE01], userGroups: [${GROUP}] }
`);

describe('receiveSlackAction', () => {
  let slack: FakeSlackApi;
  let queued: EventEnvelope[];
  let queue: InProcessQueue;
  let warnings: Array<{ message: string; fields: Record<string, unknown> }>;
  let deps: ReceiveSlackActionDeps;
  let audit: MemoryAuditLog;

  beforeAll(async () => {
    slack = await startFakeSlackApi({ token: TOKEN, channels: [CHANNEL], userGroups: { [GROUP]: [GROUP_MEMBER, 'U0OTHER01'] } });
  });
  afterAll(async () => slack.close());

  beforeEach(() => {
    slack.calls.length = 0;
    slack.responses.length = 0;
    queued = [];
    warnings = [];
    queue = new InProcessQueue(async (envelope) => void queued.push(envelope));
    audit = new MemoryAuditLog();
    const app = config.slack.app;
    if (app === undefined) throw new Error('the test config has slack.app');
    deps = {
      signingSecret: async () => SECRET,
      // The fixture's clicker is listed by id, next to the config's own user.
      app: { channel: app.channel, approvers: { users: [...app.approvers.users, CLICKER], userGroups: app.approvers.userGroups } },
      directory: new CachedSlackDirectory({ directory: new SlackWebApi({ token: async () => TOKEN, baseUrl: slack.apiUrl }) }),
      responder: new SlackResponseUrlResponder({ fetchImpl: slack.hooksFetch }),
      audit,
      ledger: new MemoryDeliveryLedger(),
      queue,
      log: { warn: (message, fields) => void warnings.push({ message, fields: fields ?? {} }) },
      workOf: (event) => workOf(config, event),
      now: () => NOW,
      maxBodyBytes: 64 * 1024,
    };
  });

  async function receive(payload: BlockActionsFixture | Record<string, unknown>, options: { secret?: string; at?: Date } = {}) {
    const request = signedSlackRequest(payload, options.secret ?? SECRET, options.at ?? NOW);
    const response = await receiveSlackAction(request, deps);
    await queue.drain();
    return response;
  }

  const clickBy = (user: string, change: (p: BlockActionsFixture) => void = () => undefined) => {
    const payload = blockActionsPayload();
    payload.user = { id: user, username: `name-of-${user.toLowerCase()}` };
    change(payload);
    return payload;
  };

  it("queues Slack's documented click on Approve as approval.decided for the repository's base branch", async () => {
    const response = await receive(blockActionsPayload());
    expect(response).toEqual({ status: 200, body: { status: 'accepted', id: `slack:${TRIGGER}`, decision: 'approve' } });
    expect(queued).toEqual([
      {
        id: `slack:${TRIGGER}#0@gitops:main`,
        host: 'slack',
        deliveryId: TRIGGER,
        receivedAt: NOW.toISOString(),
        route: { repository: 'gitops', branch: 'main' },
        event: {
          type: 'approval.decided',
          decision: 'approve',
          repository: 'gitops',
          number: 42,
          head: HEAD,
          user: { id: CLICKER, name: 'jtorrance' },
          message: { channel: CHANNEL, ts: '1548261231.000200' },
          decidedAt: NOW.toISOString(),
        },
      },
    ]);
    // A listed user needs no lookup, and nobody is answered through the response_url.
    expect(slack.calls).toEqual([]);
    expect(slack.responses).toEqual([]);
  });

  it('queues a click on Reject as a rejection', async () => {
    const payload = blockActionsPayload();
    (payload.actions[0] as { action_id: string }).action_id = 'hoist.reject';
    expect((await receive(payload)).body).toMatchObject({ status: 'accepted', decision: 'reject' });
    expect(queued.map((e) => e.event)).toMatchObject([{ type: 'approval.decided', decision: 'reject', number: 42 }]);
  });

  it('queues the same signed request once when it arrives twice', async () => {
    const request = signedSlackRequest(blockActionsPayload(), SECRET, NOW);
    const first = await receiveSlackAction(request, deps);
    const second = await receiveSlackAction(request, deps);
    await queue.drain();
    expect(first.body.status).toBe('accepted');
    expect(second).toEqual({ status: 200, body: { status: 'duplicate', id: `slack:${TRIGGER}`, decision: 'approve' } });
    expect(queued).toHaveLength(1);
  });

  it("takes the action's action_ts as the delivery id when the payload has no trigger_id", async () => {
    const payload = blockActionsPayload();
    delete payload.trigger_id;
    await receive(payload);
    expect(queued.map((e) => e.id)).toEqual(['slack:1548426417.840180#0@gitops:main']);
  });

  it('queues the decision of a member of an approver group, asking Slack once per group for a few minutes', async () => {
    const first = await receive(clickBy(GROUP_MEMBER));
    expect(first.body).toMatchObject({ status: 'accepted' });
    expect(queued.map((e) => e.event)).toMatchObject([{ user: { id: GROUP_MEMBER, name: `name-of-${GROUP_MEMBER.toLowerCase()}` } }]);
    await receive(clickBy(GROUP_MEMBER, (p) => (p.trigger_id = 'another.click.1')));
    expect(queued).toHaveLength(2);
    expect(slack.calls).toEqual([{ method: 'usergroups.users.list', args: { usergroup: GROUP } }]);
  });

  it('refuses a user who is neither listed nor in a listed group: an ephemeral reply, nothing queued', async () => {
    const response = await receive(clickBy('U0MALLORY'));
    expect(response).toEqual({ status: 200, body: { status: 'refused', reason: 'user U0MALLORY is not an approver' } });
    expect(queued).toEqual([]);
    expect(audit.records).toEqual([expect.objectContaining({ outcome: 'failed', reasons: ['Slack decision refused: user U0MALLORY is not an approver'] })]);
    expect(slack.responses).toEqual([
      {
        path: '/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209',
        body: {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'You are not among the approvers of Hoist promotions, so gitops #42 was neither merged nor closed.',
        },
      },
    ]);
  });

  it('refuses a click on a message outside the approval channel', async () => {
    const response = await receive(
      clickBy(CLICKER, (p) => {
        p.container.channel_id = 'C0ELSEWHERE';
      }),
    );
    expect(response.body).toEqual({ status: 'refused', reason: 'a click in channel C0ELSEWHERE' });
    expect(queued).toEqual([]);
    expect(slack.responses.map((r) => r.body.text)).toEqual([`Hoist takes approvals only in <#${CHANNEL}>; nothing was done.`]);
  });

  it('still answers a refusal when the reply cannot be delivered, and logs no response_url', async () => {
    deps = { ...deps, responder: new SlackResponseUrlResponder({ fetchImpl: async () => new Response('expired_url', { status: 404 }) }) };
    const response = await receive(clickBy('U0MALLORY'));
    expect(response.body.status).toBe('refused');
    expect(queued).toEqual([]);
    expect(warnings).toEqual([
      {
        message: 'could not tell the person of a refusal',
        fields: { reason: 'user U0MALLORY is not an approver', error: "Slack's response_url answered 404: expired_url" },
      },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('hooks.slack.com');
  });

  it('refuses a response_url that is not on https://hooks.slack.com with 400 and calls nothing', async () => {
    for (const url of ['https://evil.example/actions/T/1/x', 'http://hooks.slack.com/actions/T/1/x', 'https://hooks.slack.com.evil.example/actions/T/1/x']) {
      const error = await rejectionOf(receive(clickBy('U0MALLORY', (p) => (p.response_url = url))));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toBe('payload: response_url: expected a https://hooks.slack.com/… URL');
    }
    expect(slack.responses).toEqual([]);
    expect(queued).toEqual([]);
  });

  it('ignores a click on a button that is not Hoist’s, and interactions other than block_actions', async () => {
    const payload = blockActionsPayload();
    (payload.actions[0] as { action_id: string }).action_id = 'WaXA';
    expect(await receive(payload)).toEqual({
      status: 200,
      body: { status: 'ignored', reason: "'WaXA' is not one of Hoist's actions (hoist.approve, hoist.reject)" },
    });
    expect(await receive({ type: 'view_submission', view: {} })).toEqual({
      status: 200,
      body: { status: 'ignored', reason: 'a view_submission interaction, not a click on a Hoist button' },
    });
    expect(queued).toEqual([]);
  });

  it('answers ignored for a repository the config does not know', async () => {
    const payload = blockActionsPayload();
    payload.actions[0] = { ...payload.actions[0], action_id: 'hoist.approve', value: JSON.stringify({ repository: 'other', number: 1, head: HEAD }) };
    expect((await receive(payload)).body).toEqual({ status: 'ignored', reason: "no GitOps repository named 'other'" });
    expect(queued).toEqual([]);
  });

  it('refuses a forged signature and a replayed old request with 401, queueing nothing', async () => {
    const forged = await rejectionOf(receive(blockActionsPayload(), { secret: 'not-the-secret' }));
    expect(forged).toBeInstanceOf(SignatureError);
    expect(forged.message).toBe('x-slack-signature does not match');
    // Signed correctly, six minutes before it arrives.
    const replayed = await rejectionOf(receive(blockActionsPayload(), { at: new Date(NOW.getTime() - 6 * 60_000) }));
    expect(replayed).toBeInstanceOf(SignatureError);
    expect(replayed.message).toMatch(/more than five minutes old/);
    expect(queued).toEqual([]);
  });

  it('names the field of a malformed payload (400)', async () => {
    const cases: Array<[(p: BlockActionsFixture) => void, string]> = [
      [(p) => (p.user = { id: 'not-a-user' }), 'payload: user.id: a Slack user id'],
      [(p) => (p.actions[0] = { action_id: 'hoist.approve', value: '{"repository":"gitops","number":0,"head":"xyz"}' }), 'payload.actions[0].value: number'],
      [(p) => (p.actions[0] = { action_id: 'hoist.approve', value: 'approve' }), 'payload.actions[0].value: not JSON'],
      [(p) => (p.actions[0] = { action_id: 'hoist.approve' }), 'payload.actions[0].value: required'],
      [(p) => (p.trigger_id = 'has spaces'), 'payload: trigger_id: expected letters'],
    ];
    for (const [change, message] of cases) {
      const payload = blockActionsPayload();
      change(payload);
      const error = await rejectionOf(receive(payload));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toContain(message);
    }
    const noPayload = await rejectionOf(receiveSlackAction(signedForm('token=x'), deps));
    expect(noPayload.message).toBe('payload: missing form field');
    expect(queued).toEqual([]);
  });

  it('surfaces a Slack lookup refused with invalid_auth, naming the method and code but not the token, and queues nothing', async () => {
    deps = { ...deps, directory: new SlackWebApi({ token: async () => 'xoxb-revoked', baseUrl: slack.apiUrl }) };
    const error = await rejectionOf(receive(clickBy(GROUP_MEMBER)));
    expect(error).toBeInstanceOf(TerminalError);
    expect(error.message).toBe('Slack usergroups.users.list failed: invalid_auth');
    expect(queued).toEqual([]);
  });

  it('refuses a body over the limit before reading it (413)', async () => {
    deps = { ...deps, maxBodyBytes: 100 };
    expect(await rejectionOf(receive(blockActionsPayload()))).toBeInstanceOf(PayloadTooLargeError);
  });

  /** A signed form body without the `payload` field. */
  function signedForm(body: string) {
    const timestamp = String(Math.floor(NOW.getTime() / 1000));
    return { headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignatureOf(SECRET, timestamp, body) }, body };
  }
});
