import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { localSlackActions } from '../../dev/dev-wiring';
import { CachedSlackDirectory } from '../../lambdas/clients/cached-slack-directory';
import { SlackResponseUrlResponder } from '../../lambdas/clients/slack-response-url';
import { SlackWebApi } from '../../lambdas/clients/slack-web-api';
import type { EventEnvelope, HoistEvent } from '../../lambdas/core/events';
import type { Work } from '../../lambdas/core/promotion/triggers';
import { type FakeSlackApi, startFakeSlackApi } from '../support/fake-slack-api';
import { blockActionsPayload, signedSlackRequest } from '../support/slack-actions';
import { type DevServerProcess, startDevServerProcess } from './dev-server-process';

const SECRET = 'dev-signing-secret';
const TOKEN = 'xoxb-dev-token';
const APP = { channel: 'CBR2V3XEX', approvers: { users: [], userGroups: ['S0RELEASE'] } };

const workOf = (event: HoistEvent): Work =>
  event.type === 'approval.decided'
    ? { kind: 'decide', routes: [{ repository: event.repository, branch: 'main' }] }
    : { kind: 'none', reason: 'not an approval' };

const post = (url: string, request: { headers: Record<string, string>; body: string }) =>
  fetch(`${url}/slack/actions`, { method: 'POST', headers: request.headers, body: request.body });

describe('dev server: POST /slack/actions over real HTTP', () => {
  let slack: FakeSlackApi;
  let server: DevServer;
  const consumed: EventEnvelope[] = [];

  beforeAll(async () => {
    slack = await startFakeSlackApi({ token: TOKEN, userGroups: { S0RELEASE: ['UA8RXUSPL'] } });
    server = await startDevServer({
      port: 0,
      env: {},
      workOf,
      consume: async (e) => void consumed.push(e),
      slackActions: {
        signingSecret: SECRET,
        app: APP,
        directory: new CachedSlackDirectory({ directory: new SlackWebApi({ token: async () => TOKEN, baseUrl: slack.apiUrl }) }),
        responder: new SlackResponseUrlResponder({ fetchImpl: slack.hooksFetch }),
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await slack.close();
  });

  it('queues a click a group member made, posted as a signed form', async () => {
    const res = await post(server.url, signedSlackRequest(blockActionsPayload(), SECRET, new Date()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', decision: 'approve' });
    await server.queue.drain();
    expect(consumed.map((e) => [e.id, e.event.type])).toEqual([
      ['slack:12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3#0@gitops:main', 'approval.decided'],
    ]);
    expect(slack.calls.map((c) => c.method)).toEqual(['usergroups.users.list']);
  });

  it('refuses a forged signature with 401 and a text/plain body with 415, queueing nothing', async () => {
    const before = consumed.length;
    const forged = signedSlackRequest(blockActionsPayload(), 'not-the-secret', new Date());
    expect((await post(server.url, forged)).status).toBe(401);
    const plain = await fetch(`${server.url}/slack/actions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'payload={}' });
    expect(plain.status).toBe(415);
    await server.queue.drain();
    expect(consumed.length).toBe(before);
  });

  it('answers 404 with the reason when no Slack app is set up', async () => {
    const bare = await startDevServer({ port: 0, env: {} });
    try {
      const res = await post(bare.url, signedSlackRequest(blockActionsPayload(), SECRET, new Date()));
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'not found',
        reason: 'the promotion config has no slack.app, or its signingSecretEnv and botTokenEnv variables are not set',
      });
    } finally {
      await bare.close();
    }
  });
});

describe('dev server: the Slack app from slack.app and the environment', () => {
  const app = { ...APP, signingSecretEnv: 'SLACK_SIGNING_SECRET', botTokenEnv: 'SLACK_BOT_TOKEN' };

  it('is on with both variables set, off with the reason otherwise, and absent without slack.app', () => {
    expect(localSlackActions(app, { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: TOKEN }).actions).toMatchObject({ signingSecret: SECRET, app });
    expect(localSlackActions(app, { SLACK_SIGNING_SECRET: SECRET })).toEqual({
      off: 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to take Slack approval clicks',
    });
    expect(localSlackActions(undefined, {})).toEqual({});
  });
});

describe('npm start with slack.app', () => {
  let on: DevServerProcess;
  let config: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoist-slack-'));
    config = join(dir, 'hoist.config.yaml');
    writeFileSync(
      config,
      'slack:\n  app:\n    signingSecretEnv: SLACK_SIGNING_SECRET\n    botTokenEnv: SLACK_BOT_TOKEN\n    channel: CBR2V3XEX\n    approvers: { users: [UA8RXUSPL] }\n',
    );
    on = await startDevServerProcess({
      HOIST_CONFIG: config,
      HOIST_WORK_DIR: join(dir, '.hoist'),
      PORT: '0',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: TOKEN,
    });
  });
  afterAll(async () => on?.stop());

  it('prints the route and takes a click signed with the secret from the variable slack.app names', async () => {
    expect(on.stdout()).toContain(`  POST ${on.url}/slack/actions`);
    const res = await post(on.url, signedSlackRequest(blockActionsPayload(), SECRET, new Date()));
    expect(res.status).toBe(200);
    // Verified and allowed; this config has no GitOps repository to decide in, and the answer says so.
    expect(await res.json()).toEqual({ status: 'ignored', reason: "no GitOps repository named 'gitops'" });
  });

  it('prints no route, but why, when a variable is missing', async () => {
    const off = await startDevServerProcess({
      HOIST_CONFIG: config,
      HOIST_WORK_DIR: join(mkdtempSync(join(tmpdir(), 'hoist-slack-off-')), '.hoist'),
      PORT: '0',
      SLACK_SIGNING_SECRET: SECRET,
    });
    try {
      expect(off.stdout()).not.toContain('/slack/actions');
      expect(off.stdout()).toContain('Slack actions: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to take Slack approval clicks)');
    } finally {
      await off.stop();
    }
  });
});
