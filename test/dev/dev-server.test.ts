import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { localLambdaContext } from '../../dev/lambda-context';
import { toApiGatewayEvent } from '../../dev/to-api-gateway-event';
import { EnvWebhookSecrets } from '../../lambdas/clients/local/env-webhook-secrets';
import { InProcessQueue } from '../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../lambdas/clients/local/memory-delivery-ledger';
import type { EventEnvelope } from '../../lambdas/core/events';
import { createWebhookHandler } from '../../lambdas/webhook/create-webhook-handler';
import { digestOf, ecrPushEvent } from '../support/ecr-pushes';

const JSON_TYPE = { 'content-type': 'application/json' };

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
    const unsigned = await fetch(`${server.url}/webhooks/github`, { method: 'POST', body: '{}', headers: { ...JSON_TYPE, 'x-github-event': 'push' } });
    expect(unsigned.status).toBe(401);
    const gitlab = await fetch(`${server.url}/webhooks/gitlab`, { method: 'POST', body: '{}', headers: JSON_TYPE });
    expect(gitlab.status).toBe(404);
  });

  it('answers the webhook route as the Lambda function does: a GET, an unknown host, a form-encoded push and its duplicate', async () => {
    // The Lambda function's webhook handler with the same secret and a ledger of its own, sent the same requests.
    const lambda = createWebhookHandler({
      secrets: new EnvWebhookSecrets({ HOIST_WEBHOOK_SECRET_GITHUB: 'dev-test-secret' }, ['github']),
      ledger: new MemoryDeliveryLedger(),
      queue: new InProcessQueue(async () => undefined),
      log: { warn: () => undefined },
      now: () => new Date(),
      maxBodyBytes: 1024 * 1024,
    });
    const both = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
      const dev = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const event = toApiGatewayEvent(method, { pathname: path, search: '', host: 'hoist.example' }, headers, Buffer.from(body ?? ''));
      const deployed = await lambda(event, localLambdaContext('hoist-webhook'));
      return { dev: { status: dev.status, body: await dev.json() }, lambda: { status: deployed.statusCode, body: JSON.parse(deployed.body ?? '') } };
    };

    const get = await both('GET', '/webhooks/github', {});
    expect(get.dev).toEqual({ status: 405, body: { error: 'method not allowed', reason: 'method GET is not allowed; webhooks are POSTed' } });
    expect(get.dev).toEqual(get.lambda);
    const bitbucket = await both('POST', '/webhooks/bitbucket', JSON_TYPE, '{}');
    expect(bitbucket.dev).toEqual({ status: 404, body: { error: 'not found', reason: "no webhook endpoint for 'bitbucket'" } });
    expect(bitbucket.dev).toEqual(bitbucket.lambda);

    // GitHub's "application/x-www-form-urlencoded" content type: the JSON is in `payload`, the signature covers the form.
    const form = new URLSearchParams({ payload: readFileSync('dev/examples/github-push.json', 'utf8') }).toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-github-event': 'push',
      'x-github-delivery': 'dev-form-1',
      'x-hub-signature-256': await sign('dev-test-secret', form),
    };
    const first = await both('POST', '/webhooks/github', headers, form);
    expect(first.dev).toEqual({ status: 202, body: { status: 'accepted', delivery: 'dev-form-1', events: ['git.push'], queued: 1 } });
    expect(first.dev).toEqual(first.lambda);
    const again = await both('POST', '/webhooks/github', headers, form);
    expect(again.dev).toEqual({ status: 200, body: { status: 'duplicate', delivery: 'dev-form-1' } });
    expect(again.dev).toEqual(again.lambda);
    await server.queue.drain();
  });

  it('answers 400 with the zod reason for a malformed ECR event', async () => {
    const res = await fetch(`${server.url}/events/ecr`, { method: 'POST', body: JSON.stringify({ id: 'x' }), headers: JSON_TYPE });
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: 'bad request', reason: expect.stringMatching(/^ECR event: /) });
  });

  it('refuses what a web page can send: a text/plain POST from a foreign origin queues nothing', async () => {
    // The request a page on another site can make without a CORS preflight.
    const before = consumed.length;
    const res = await fetch(`${server.url}/events/ecr`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
      body: ecrPush('browser-1'),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'forbidden', reason: expect.stringContaining("origin 'http://evil.example'") });
    await server.queue.drain();
    expect(consumed.length).toBe(before);
  });

  it('answers 415 with the reason for a POST that is not JSON', async () => {
    for (const [path, contentType] of [
      ['/events/ecr', 'text/plain'],
      ['/events/ecr', 'application/x-www-form-urlencoded'],
      ['/webhooks/gitlab', 'application/x-www-form-urlencoded'],
      ['/webhooks/github', 'multipart/form-data; boundary=x'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: ecrPush('plain-1') });
      expect(res.status, `${path} ${contentType}`).toBe(415);
      expect(await res.json()).toEqual({ error: 'unsupported media type', reason: expect.stringContaining('is not accepted; send application/json') });
    }
    const missing = await fetch(`${server.url}/events/ecr`, { method: 'POST', body: new Uint8Array(Buffer.from(ecrPush('plain-2'))) });
    expect(missing.status).toBe(415);
    expect(await missing.json()).toMatchObject({ reason: expect.stringMatching(/^Content-Type is missing/) });
  });

  it('accepts JSON under its other names, and from its own origin', async () => {
    const cloudEvents = await fetch(`${server.url}/events/ecr`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      body: ecrPush('json-1'),
    });
    expect(cloudEvents.status).toBe(202);
    const own = await fetch(`${server.url}/events/ecr`, { method: 'POST', headers: { ...JSON_TYPE, origin: server.url }, body: ecrPush('json-2') });
    expect(own.status).toBe(202);
    const foreign = await fetch(`${server.url}/healthz`, { headers: { origin: 'null' } });
    expect(foreign.status).toBe(403);
  });

  it('still takes a GitHub webhook sent as a form (the JSON in `payload`)', async () => {
    const form = new URLSearchParams({ payload: readFileSync('dev/examples/github-push.json', 'utf8') }).toString();
    const res = await fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-github-event': 'push',
        'x-github-delivery': 'form-1',
        'x-hub-signature-256': await sign('dev-test-secret', form),
      },
      body: form,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted', delivery: 'form-1' });
  });

  it('answers 400 with a reason for a malformed Host header or request target', async () => {
    const { port } = new URL(server.url);
    const hostile = await rawRequest(Number(port), 'GET', '/healthz', { host: '[::1' });
    expect(hostile).toEqual({ status: 400, body: { error: 'bad request', reason: 'malformed Host header' } });
    const absolute = await rawRequest(Number(port), 'GET', 'http://elsewhere.example/healthz', {});
    expect(absolute.status).toBe(400);
    const webhook = await rawRequest(Number(port), 'POST', '/webhooks/github', { host: 'a b', 'content-type': 'application/json' });
    expect(webhook.status).toBe(400);
  });
});

/** The example ECR push as another image (its digest made from `id`), so each test queues a delivery of its own. */
function ecrPush(id: string): string {
  return JSON.stringify(ecrPushEvent(id, { digest: digestOf(id) }));
}

/** A request with headers fetch will not send (Host) and a target it will not send (absolute form). */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: headers.host === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dev server memory: what it keeps per delivery is bounded', () => {
  it('remembers at most the ledger cap of delivery ids and leaves no queue chain behind, however many deliveries came', async () => {
    const ledger = new MemoryDeliveryLedger(undefined, undefined, 50);
    let consumed = 0;
    const server = await startDevServer({
      port: 0,
      env: { HOIST_WEBHOOK_SECRET_GITHUB: 'dev-test-secret' },
      ledger,
      consume: async () => {
        consumed += 1;
      },
    });
    try {
      const push = readFileSync('dev/examples/github-push.json', 'utf8');
      const signature = await sign('dev-test-secret', push);
      const deliver = (id: string) =>
        fetch(`${server.url}/webhooks/github`, {
          method: 'POST',
          headers: { ...JSON_TYPE, 'x-github-event': 'push', 'x-github-delivery': id, 'x-hub-signature-256': signature },
          body: push,
        });
      for (let i = 0; i < 200; i += 1) expect((await deliver(`bounded-${i}`)).status).toBe(202);
      await server.queue.drain();
      expect(consumed).toBe(200);
      expect(ledger.size).toBe(50);
      expect(server.queue.pending).toBe(0);
      // The newest deliveries are still duplicates.
      expect((await deliver('bounded-199')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
