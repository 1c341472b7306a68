import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { toApiGatewayEvent } from '../../../dev/to-api-gateway-event';
import { CachedSlackDirectory } from '../../../lambdas/clients/cached-slack-directory';
import { InProcessQueue } from '../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../lambdas/clients/local/memory-delivery-ledger';
import { SlackResponseUrlResponder } from '../../../lambdas/clients/slack-response-url';
import { SlackWebApi } from '../../../lambdas/clients/slack-web-api';
import type { EventEnvelope } from '../../../lambdas/core/events';
import { createSlackActionsHandler } from '../../../lambdas/slack-actions/create-slack-actions-handler';
import { type FakeSlackApi, startFakeSlackApi } from '../../support/fake-slack-api';
import { blockActionsPayload, signedSlackRequest } from '../../support/slack-actions';

const SECRET = 'slack-signing-secret';
const TOKEN = 'xoxb-bot-token';
const NOW = new Date('2026-11-23T08:00:00Z');

describe('slack actions handler (middy, as API Gateway invokes it)', () => {
  let slack: FakeSlackApi;
  const queued: EventEnvelope[] = [];
  const queue = new InProcessQueue(async (envelope) => void queued.push(envelope));
  let handler: ReturnType<typeof createSlackActionsHandler>;

  beforeAll(async () => {
    slack = await startFakeSlackApi({ token: TOKEN, userGroups: { S0APPROVE: ['U0BOB0001'] } });
    handler = createSlackActionsHandler({
      signingSecret: async () => SECRET,
      app: { channel: 'CBR2V3XEX', approvers: { users: ['UA8RXUSPL'], userGroups: ['S0APPROVE'] } },
      directory: new CachedSlackDirectory({ directory: new SlackWebApi({ token: async () => TOKEN, baseUrl: slack.apiUrl }) }),
      responder: new SlackResponseUrlResponder({ fetchImpl: slack.hooksFetch }),
      ledger: new MemoryDeliveryLedger(),
      queue,
      log: { warn: () => undefined },
      workOf: (event) =>
        event.type === 'approval.decided' ? { kind: 'decide', routes: [{ repository: event.repository, branch: 'main' }] } : { kind: 'none', reason: 'no' },
      now: () => NOW,
      maxBodyBytes: 64 * 1024,
    });
  });
  afterAll(async () => slack.close());

  async function invoke(method: string, path: string, headers: Record<string, string>, body: string, base64 = false) {
    const event = toApiGatewayEvent(method, new URL(`https://hoist.example${path}`), headers, Buffer.from(body));
    const result = await handler(
      base64 ? { ...event, isBase64Encoded: true, body: Buffer.from(body).toString('base64') } : event,
      localLambdaContext('hoist-slack-actions'),
    );
    await queue.drain();
    return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as Record<string, unknown> };
  }

  it('queues a signed click, also when the gateway base64-encoded the form body', async () => {
    const first = signedSlackRequest(blockActionsPayload(), SECRET, NOW);
    expect(await invoke('POST', '/slack/actions', first.headers, first.body, true)).toEqual({
      status: 200,
      body: { status: 'accepted', id: 'slack:12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3', decision: 'approve' },
    });
    expect(queued.map((e) => e.id)).toEqual(['slack:12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3#0@gitops:main']);
    expect((await invoke('POST', '/slack/actions', first.headers, first.body)).body.status).toBe('duplicate');
    expect(queued).toHaveLength(1);
  });

  it('answers 401 with the reason for a forged signature', async () => {
    const forged = signedSlackRequest(blockActionsPayload(), 'wrong-secret', NOW);
    expect(await invoke('POST', '/slack/actions', forged.headers, forged.body)).toEqual({
      status: 401,
      body: { error: 'unauthorized', reason: 'x-slack-signature does not match' },
    });
  });

  it('answers a person who may not decide with 200 and an ephemeral reply', async () => {
    const payload = blockActionsPayload();
    payload.user = { id: 'U0MALLORY', username: 'mallory' };
    payload.trigger_id = 'mallory.click.1';
    const request = signedSlackRequest(payload, SECRET, NOW);
    expect(await invoke('POST', '/slack/actions', request.headers, request.body)).toEqual({
      status: 200,
      body: { status: 'refused', reason: 'user U0MALLORY is not an approver' },
    });
    expect(slack.responses.map((r) => r.body.response_type)).toEqual(['ephemeral']);
    expect(queued).toHaveLength(1);
  });

  it('answers 400 naming the field, 405 for another method and 404 for another path', async () => {
    const payload = blockActionsPayload();
    payload.user = { id: 'nobody' };
    const bad = signedSlackRequest(payload, SECRET, NOW);
    const answer = await invoke('POST', '/slack/actions', bad.headers, bad.body);
    expect(answer.status).toBe(400);
    expect(answer.body.reason).toMatch(/^payload: user\.id: a Slack user id/);
    expect((await invoke('GET', '/slack/actions', {}, '')).status).toBe(405);
    expect((await invoke('POST', '/slack/other', bad.headers, bad.body)).status).toBe(404);
  });
});
