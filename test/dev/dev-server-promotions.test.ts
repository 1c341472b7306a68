import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../dev/dev-server';
import { MemoryPromotionOutcomeStore } from '../../lambdas/clients/local/memory-promotion-outcomes';
import type { EventEnvelope, HoistEvent } from '../../lambdas/core/events';
import type { Work } from '../../lambdas/core/promotion/triggers';

const JSON_TYPE = { 'content-type': 'application/json' };
const signatureOf = (text: string, secret: string) => `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;

/** Routes promotions of ghcr.io/acme/api to gitops:main, and nothing else. */
const workOf = (event: HoistEvent): Work =>
  event.type === 'promotion.requested' && event.repository === 'acme/api'
    ? { kind: 'promote', routes: [{ repository: 'gitops', branch: 'main' }] }
    : { kind: 'none', reason: 'no target is configured for this image' };

describe('dev server: /promotions over real HTTP, with the default dev secret', () => {
  let server: DevServer;
  const consumed: EventEnvelope[] = [];
  const outcomes = new MemoryPromotionOutcomeStore();

  beforeAll(async () => {
    server = await startDevServer({ port: 0, env: {}, workOf, promotionOutcomes: outcomes, consume: async (e) => void consumed.push(e) });
  });
  afterAll(async () => server.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/promotions`, { method: 'POST', headers: { ...JSON_TYPE, ...headers }, body });

  it('accepts a request signed the way the README does it (openssl over the exact body), queues it and answers its outcome', async () => {
    const body = JSON.stringify({ image: 'ghcr.io/acme/api', tag: '1.4.3', source: 'test' });
    // The README's line: openssl dgst -sha256 -hmac "$HOIST_PROMOTION_SECRET" -r, first field.
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-hmac', 'hoist-dev-secret', '-r'], { input: body }).toString().split(' ')[0];
    const res = await post(body, { 'x-hoist-signature-256': `sha256=${hex}`, 'idempotency-key': 'dev-run-1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'accepted', id: 'dev-run-1' });
    await server.queue.drain();
    expect(consumed.map((e) => e.id)).toEqual(['ci:dev-run-1#0@gitops:main']);

    const poll = await fetch(`${server.url}/promotions/dev-run-1`, {
      headers: { 'x-hoist-signature-256': signatureOf('/promotions/dev-run-1', 'hoist-dev-secret') },
    });
    expect(poll.status).toBe(200);
    expect(await poll.json()).toMatchObject({ id: 'dev-run-1', status: 'queued', changes: [], reasons: [] });

    const again = await post(body, { 'x-hoist-signature-256': `sha256=${hex}`, 'idempotency-key': 'dev-run-1' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate', id: 'dev-run-1' });
    await server.queue.drain();
    expect(consumed).toHaveLength(1);
  });

  it('answers ignored for an image nothing targets, and queues nothing', async () => {
    const before = consumed.length;
    const body = JSON.stringify({ image: 'ghcr.io/acme/web', tag: '2.0.0' });
    const res = await post(body, { 'x-hoist-signature-256': signatureOf(body, 'hoist-dev-secret') });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'ignored', ignored: 'no target is configured for this image' });
    await server.queue.drain();
    expect(consumed.length).toBe(before);
  });

  it('refuses a bad or missing signature with 401 and queues nothing', async () => {
    const before = consumed.length;
    const body = JSON.stringify({ image: 'ghcr.io/acme/api', tag: '1.4.4' });
    expect((await post(body, {})).status).toBe(401);
    const wrong = await post(body, { 'x-hoist-signature-256': signatureOf(body, 'not-the-secret') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'unauthorized', reason: 'x-hoist-signature-256 does not match' });
    await server.queue.drain();
    expect(consumed.length).toBe(before);
  });

  it('answers 400 naming the field for a tag with a newline and for a bad image name', async () => {
    for (const [fields, field] of [
      [{ image: 'ghcr.io/acme/api', tag: '1.4.3\n' }, 'tag'],
      [{ image: 'ghcr.io/acme/api tag', tag: '1.4.3' }, 'image'],
    ] as const) {
      const body = JSON.stringify(fields);
      const res = await post(body, { 'x-hoist-signature-256': signatureOf(body, 'hoist-dev-secret') });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'bad request', reason: expect.stringMatching(new RegExp(`^promotion request: ${field}: `)) });
    }
  });

  it('answers 404 for an unknown id and 401 for an unsigned poll', async () => {
    const unknown = await fetch(`${server.url}/promotions/none-such`, {
      headers: { 'x-hoist-signature-256': signatureOf('/promotions/none-such', 'hoist-dev-secret') },
    });
    expect(unknown.status).toBe(404);
    await outcomes.put({ id: 'known', status: 'failed', updatedAt: new Date().toISOString(), changes: [], reasons: ['apps/api/dev/values.yaml is not YAML'] });
    expect((await fetch(`${server.url}/promotions/known`)).status).toBe(401);
  });

  it('applies the same screening as the other routes: JSON only, no foreign origin', async () => {
    const body = JSON.stringify({ image: 'ghcr.io/acme/api', tag: '1.4.5' });
    const signature = signatureOf(body, 'hoist-dev-secret');
    const plain = await fetch(`${server.url}/promotions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-hoist-signature-256': signature },
      body,
    });
    expect(plain.status).toBe(415);
    const foreign = await post(body, { 'x-hoist-signature-256': signature, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
  });
});

describe('dev server: HOIST_PROMOTION_SECRET', () => {
  it('signs with the secret it names (a rotation document counts its default) instead of the dev secret', async () => {
    const server = await startDevServer({ port: 0, env: { HOIST_PROMOTION_SECRET: JSON.stringify({ default: ['ci-new', 'ci-old'] }) }, workOf });
    try {
      const body = JSON.stringify({ image: 'ghcr.io/acme/api', tag: '1.4.3' });
      const post = (secret: string) =>
        fetch(`${server.url}/promotions`, { method: 'POST', headers: { ...JSON_TYPE, 'x-hoist-signature-256': signatureOf(body, secret) }, body });
      expect((await post('hoist-dev-secret')).status).toBe(401);
      expect((await post('ci-old')).status).toBe(202);
    } finally {
      await server.close();
    }
  });
});
