import { readFileSync } from 'node:fs';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import type { EventEnvelope } from '../../lambdas/core/events';

describe('dev server over real HTTP', () => {
  let server: DevServer;
  const consumed: EventEnvelope[] = [];

  beforeAll(async () => {
    server = await startDevServer({
      port: 0,
      env: { HOIST_WEBHOOK_SECRET_GITHUB: 'dev-test-secret' },
      consume: async (envelope) => {
        consumed.push(envelope);
      },
    });
  });
  afterAll(async () => server.close());

  it('answers /healthz', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', deadLetters: 0 });
  });

  it('accepts a signed GitHub push and an ECR event, and runs both through the queue', async () => {
    const push = readFileSync('dev/examples/github-push.json', 'utf8');
    const webhook = await fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'dev-1',
        'x-hub-signature-256': await sign('dev-test-secret', push),
      },
      body: push,
    });
    expect(webhook.status).toBe(202);
    expect(await webhook.json()).toEqual({ status: 'accepted', delivery: 'dev-1', events: ['git.push'], queued: 1 });

    const ecr = await fetch(`${server.url}/events/ecr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: readFileSync('dev/examples/ecr-push.json'),
    });
    expect(ecr.status).toBe(202);
    await server.queue.drain();
    expect(consumed.map((e) => e.event.type)).toEqual(['git.push', 'image.published']);
  });

  it('refuses an unsigned webhook and a gitlab call with no secret configured', async () => {
    const unsigned = await fetch(`${server.url}/webhooks/github`, { method: 'POST', body: '{}', headers: { 'x-github-event': 'push' } });
    expect(unsigned.status).toBe(401);
    const gitlab = await fetch(`${server.url}/webhooks/gitlab`, { method: 'POST', body: '{}' });
    expect(gitlab.status).toBe(404);
  });

  it('answers 400 with the zod reason for a malformed ECR event', async () => {
    const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', body: JSON.stringify({ id: 'x' }) });
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: 'bad request', reason: expect.stringMatching(/^ECR event: /) });
  });
});
