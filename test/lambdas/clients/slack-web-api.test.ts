import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CachedSlackDirectory } from '../../../lambdas/clients/cached-slack-directory';
import { SlackResponseUrlResponder } from '../../../lambdas/clients/slack-response-url';
import { SlackWebApi } from '../../../lambdas/clients/slack-web-api';
import type { SlackDirectory } from '../../../lambdas/core/slack-ports';
import { RetryLaterError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { listenLocal } from '../../support/listen-local';
import { rejectionOf } from '../../support/rejection-of';

const TOKEN = 'xoxb-1234-5678-secretpart';
const CHANNEL = 'C0RELEASES';

describe('SlackWebApi against a fake of Slack’s Web API', () => {
  let slack: FakeSlackApi;
  let api: SlackWebApi;

  beforeAll(async () => {
    slack = await startFakeSlackApi({ token: TOKEN, channels: [CHANNEL], userGroups: { S0APPROVERS: ['U0ALICE01', 'U0BOB0001'] } });
  });
  afterAll(async () => slack.close());
  beforeEach(() => {
    slack.calls.length = 0;
    api = new SlackWebApi({ token: async () => TOKEN, baseUrl: slack.apiUrl });
  });

  it('posts a message and updates it in place', async () => {
    const ref = await api.postMessage(CHANNEL, { text: 'fallback', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }] });
    expect(ref.channel).toBe(CHANNEL);
    expect(ref.ts).toMatch(/^\d+\.\d+$/);
    await api.updateMessage(ref, { text: 'decided', blocks: [] });
    expect(slack.messages.get(`${CHANNEL}/${ref.ts}`)).toMatchObject({ text: 'decided', blocks: [] });
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
  });

  it('lists the members of a user group, sent as a form', async () => {
    expect(await api.usersOfGroup('S0APPROVERS')).toEqual(['U0ALICE01', 'U0BOB0001']);
    expect(slack.calls).toEqual([{ method: 'usergroups.users.list', args: { usergroup: 'S0APPROVERS' } }]);
  });

  it('turns {ok: false, error} into an error naming the method and Slack’s code, never the token', async () => {
    const revoked = new SlackWebApi({ token: async () => 'xoxb-revoked-token', baseUrl: slack.apiUrl });
    const auth = await rejectionOf(revoked.postMessage(CHANNEL, { text: 'x' }));
    expect(auth).toBeInstanceOf(TerminalError);
    expect(auth.message).toBe('Slack chat.postMessage failed: invalid_auth');
    expect(auth.message).not.toContain('xoxb');
    expect((await rejectionOf(api.postMessage('C0NOWHERE', { text: 'x' }))).message).toBe('Slack chat.postMessage failed: channel_not_found');
    expect((await rejectionOf(api.updateMessage({ channel: CHANNEL, ts: '1.2' }, { text: 'x' }))).message).toBe('Slack chat.update failed: message_not_found');
    expect((await rejectionOf(api.usersOfGroup('S0UNKNOWN'))).message).toBe('Slack usergroups.users.list failed: no_such_subteam');
  });

  it('retries later when rate limited, after the Retry-After Slack sent', async () => {
    slack.rateLimit(1, 30);
    const error = await rejectionOf(api.usersOfGroup('S0APPROVERS'));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).retryAfterSeconds).toBe(30);
    expect(error.message).toBe('Slack usergroups.users.list failed: ratelimited');
    expect(await api.usersOfGroup('S0APPROVERS')).toHaveLength(2);
  });

  it('gives up on a Slack that does not answer within the timeout, without quoting the request', async () => {
    const silent = createServer(() => undefined);
    const local = await listenLocal(silent);
    try {
      const slow = new SlackWebApi({ token: async () => TOKEN, baseUrl: local.origin, timeoutMs: 100 });
      const error = await rejectionOf(slow.usersOfGroup('S0APPROVERS'));
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error.message).toBe('Slack usergroups.users.list could not be reached: TimeoutError');
    } finally {
      await local.close();
    }
  });

  it('replies ephemerally through a hooks.slack.com response_url, leaving the original message', async () => {
    const responder = new SlackResponseUrlResponder({ fetchImpl: slack.hooksFetch });
    await responder.respond('https://hooks.slack.com/actions/T0/1/abc', { text: 'not yours to approve' });
    expect(slack.responses).toContainEqual({
      path: '/actions/T0/1/abc',
      body: { response_type: 'ephemeral', replace_original: false, text: 'not yours to approve' },
    });
  });

  it('refuses a response_url anywhere but https://hooks.slack.com, calling nothing', async () => {
    let called = false;
    const responder = new SlackResponseUrlResponder({
      fetchImpl: async () => {
        called = true;
        return new Response('ok');
      },
    });
    for (const url of [
      'https://evil.example/actions/x',
      'http://hooks.slack.com/actions/x',
      'https://hooks.slack.com:8443/actions/x',
      'https://u:p@hooks.slack.com/x',
      'not a url',
    ]) {
      const error = await rejectionOf(responder.respond(url, { text: 'x' }));
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toBe('refusing to reply to a response_url outside https://hooks.slack.com/');
    }
    expect(called).toBe(false);
  });

  it('reports a used-up response_url by its status, never by its address', async () => {
    const responder = new SlackResponseUrlResponder({ fetchImpl: slack.hooksFetch });
    const url = 'https://hooks.slack.com/actions/T0/2/used';
    for (let i = 0; i < 5; i += 1) await responder.respond(url, { text: `reply ${i}` });
    const error = await rejectionOf(responder.respond(url, { text: 'one too many' }));
    expect(error.message).toBe("Slack's response_url answered 404: used_url");
  });
});

describe('CachedSlackDirectory', () => {
  it('asks once per group within the time to live, again after it, and forgets failures', async () => {
    let clock = 0;
    const asked: string[] = [];
    let fail = true;
    const directory: SlackDirectory = {
      usersOfGroup: async (group) => {
        asked.push(group);
        if (fail) throw new UnavailableError('down');
        return [`member-of-${group}`];
      },
    };
    const cached = new CachedSlackDirectory({ directory, ttlMs: 1000, now: () => clock });
    await expect(cached.usersOfGroup('S1')).rejects.toThrow('down');
    fail = false;
    expect(await cached.usersOfGroup('S1')).toEqual(['member-of-S1']);
    clock = 999;
    expect(await Promise.all([cached.usersOfGroup('S1'), cached.usersOfGroup('S1')])).toEqual([['member-of-S1'], ['member-of-S1']]);
    expect(asked).toEqual(['S1', 'S1']);
    clock = 2000;
    await cached.usersOfGroup('S1');
    await cached.usersOfGroup('S2');
    expect(asked).toEqual(['S1', 'S1', 'S1', 'S2']);
  });
});
