import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { toApiGatewayEvent } from '../../../dev/to-api-gateway-event';
import { InProcessQueue } from '../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../lambdas/clients/local/memory-delivery-ledger';
import { MemoryPromotionOutcomeStore } from '../../../lambdas/clients/local/memory-promotion-outcomes';
import type { EventEnvelope, HoistEvent } from '../../../lambdas/core/events';
import type { EventQueue } from '../../../lambdas/core/ports';
import type { Work } from '../../../lambdas/core/promotion/triggers';
import { createPromotionsHandler } from '../../../lambdas/promotions/create-promotions-handler';

const SECRET = 'ci-secret';
const NOW = new Date('2026-11-23T08:00:00Z');

/** What `openssl dgst -sha256 -hmac "$secret"` prints, with GitHub's prefix. */
const signatureOf = (text: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;

/** Routes every promotion to the `main` branch of `gitops`, as a config with one target there would. */
const routeToMain = (event: HoistEvent): Work =>
  event.type === 'promotion.requested' ? { kind: 'promote', routes: [{ repository: 'gitops', branch: 'main' }] } : { kind: 'none', reason: 'not a promotion' };

const body = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ image: 'ghcr.io/acme/api', tag: '1.4.3', values: { MODEL_SHA: 'abc' }, source: 'gitlab pipeline 1234', ...fields });

function harness(options: { workOf?: (event: HoistEvent) => Work; queue?: EventQueue; secret?: string; maxBodyBytes?: number } = {}) {
  const queued: EventEnvelope[] = [];
  const queue = new InProcessQueue(async (envelope) => {
    queued.push(envelope);
  });
  const outcomes = new MemoryPromotionOutcomeStore();
  let ids = 0;
  const handler = createPromotionsHandler({
    secrets: { current: async () => [options.secret ?? SECRET, 'old-secret'] },
    outcomes,
    ledger: new MemoryDeliveryLedger(),
    queue: options.queue ?? queue,
    log: { warn: () => undefined },
    now: () => NOW,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    newId: () => `generated-${++ids}`,
    workOf: options.workOf ?? routeToMain,
  });
  async function invoke(method: string, path: string, headers: Record<string, string>, text = '') {
    const event = toApiGatewayEvent(method, new URL(`https://hoist.example${path}`), headers, Buffer.from(text));
    const result = await handler(event, localLambdaContext('test'));
    await queue.drain();
    return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') };
  }
  return {
    queued,
    outcomes,
    post: (text: string, headers: Record<string, string> = { 'x-hoist-signature-256': signatureOf(text) }) =>
      invoke('POST', '/promotions', { 'content-type': 'application/json', ...headers }, text),
    get: (id: string, headers: Record<string, string> = { 'x-hoist-signature-256': signatureOf(`/promotions/${id}`) }) =>
      invoke('GET', `/promotions/${id}`, headers),
    invoke,
  };
}

describe('promotions handler: POST /promotions', () => {
  it('accepts a signed request, queues one promotion.requested envelope per GitOps branch and records it as queued', async () => {
    const h = harness();
    const text = body({ digest: `sha256:${'a'.repeat(64)}` });
    const res = await h.post(text, { 'x-hoist-signature-256': signatureOf(text), 'idempotency-key': 'pipeline-1234' });
    expect(res).toEqual({ status: 202, body: { status: 'accepted', id: 'pipeline-1234' } });
    expect(h.queued).toEqual([
      {
        id: 'ci:pipeline-1234#0@gitops:main',
        host: 'ci',
        deliveryId: 'pipeline-1234',
        receivedAt: NOW.toISOString(),
        route: { repository: 'gitops', branch: 'main' },
        event: {
          type: 'promotion.requested',
          registry: 'ghcr.io',
          repository: 'acme/api',
          tag: '1.4.3',
          digest: `sha256:${'a'.repeat(64)}`,
          values: { MODEL_SHA: 'abc' },
          source: 'gitlab pipeline 1234',
          requestedAt: NOW.toISOString(),
        },
      },
    ]);
    expect(await h.outcomes.get('pipeline-1234')).toEqual({ id: 'pipeline-1234', status: 'queued', updatedAt: NOW.toISOString(), changes: [], reasons: [] });
  });

  it('gives a request without Idempotency-Key a fresh id, and fills in values and source', async () => {
    const h = harness();
    const text = JSON.stringify({ image: 'localhost:5000/team/worker', tag: 'sha-d8bed4a' });
    const res = await h.post(text);
    expect(res).toEqual({ status: 202, body: { status: 'accepted', id: 'generated-1' } });
    expect(h.queued.map((e) => e.id)).toEqual(['ci:generated-1#0@gitops:main']);
    expect(h.queued[0]?.event).toMatchObject({ registry: 'localhost:5000', repository: 'team/worker', values: {}, source: 'CI' });
    // Another request without a key is another promotion, not a duplicate.
    expect((await h.post(text)).body).toEqual({ status: 'accepted', id: 'generated-2' });
  });

  it('answers a replayed Idempotency-Key as a duplicate and queues nothing again', async () => {
    const h = harness();
    const text = body();
    const headers = { 'x-hoist-signature-256': signatureOf(text), 'idempotency-key': 'retry-1' };
    expect((await h.post(text, headers)).status).toBe(202);
    await h.outcomes.put({ id: 'retry-1', status: 'promoted', updatedAt: NOW.toISOString(), changes: [], reasons: [] });
    expect(await h.post(text, headers)).toEqual({ status: 200, body: { status: 'duplicate', id: 'retry-1' } });
    expect(h.queued).toHaveLength(1);
    // The duplicate leaves the outcome the promoter wrote alone.
    expect((await h.outcomes.get('retry-1'))?.status).toBe('promoted');
  });

  it('accepts the second value of a rotation list', async () => {
    const h = harness();
    const text = body();
    expect((await h.post(text, { 'x-hoist-signature-256': signatureOf(text, 'old-secret') })).status).toBe(202);
  });

  it('answers ignored with the reason when the event implies no work, and queues and records nothing', async () => {
    const h = harness({ workOf: () => ({ kind: 'none', reason: 'no target is configured for ghcr.io/acme/api' }) });
    const text = body();
    const res = await h.post(text, { 'x-hoist-signature-256': signatureOf(text), 'idempotency-key': 'ign-1' });
    expect(res).toEqual({ status: 202, body: { status: 'ignored', ignored: 'no target is configured for ghcr.io/acme/api' } });
    expect(h.queued).toEqual([]);
    expect(await h.outcomes.get('ign-1')).toBeUndefined();
  });

  it('refuses a missing or wrong signature with 401 before looking at the body, and queues nothing', async () => {
    const h = harness();
    const text = body();
    const missing = await h.post(text, {});
    expect(missing).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'missing x-hoist-signature-256 header' } });
    const wrong = await h.post(text, { 'x-hoist-signature-256': signatureOf(text, 'guessed') });
    expect(wrong).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'x-hoist-signature-256 does not match' } });
    // Signed for another body: the signature covers the raw bytes, a changed tag breaks it.
    const changed = await h.post(body({ tag: '9.9.9' }), { 'x-hoist-signature-256': signatureOf(text) });
    expect(changed.status).toBe(401);
    // A malformed body with a bad signature says nothing about the body.
    expect(await h.post('{not json', { 'x-hoist-signature-256': signatureOf('x') })).toMatchObject({ status: 401 });
    expect(h.queued).toEqual([]);
    expect(h.outcomes.outcomes.size).toBe(0);
  });

  it('answers 400 naming the field for a tag with a newline, a bad image name, an unknown field or a bad key', async () => {
    const h = harness();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ tag: '1.4.3\nINJECTED: yes' }, /^promotion request: tag: expected a tag/],
      [{ image: 'ghcr.io/Acme/API' }, /^promotion request: image: expected an image name/],
      [{ image: 'ghcr.io/acme/api:1.4.3' }, /^promotion request: image: expected an image name/],
      [{ image: 'acme/api' }, /^promotion request: image: expected the registry host first/],
      // zod reports a bad record key as 'Invalid key in record', at the key's path.
      [{ values: { 'bad-name': 'x' } }, /^promotion request: values\.bad-name: /],
      [{ digest: 'sha256:abc' }, /^promotion request: digest: expected sha256:<64 hex>/],
      [{ tags: '1.4.3' }, /^promotion request: Unrecognized key: "tags"/],
    ];
    for (const [fields, reason] of cases) {
      const text = body(fields);
      const res = await h.post(text);
      expect(res.status, text).toBe(400);
      expect(res.body.reason, text).toMatch(reason);
    }
    const missingTag = JSON.stringify({ image: 'ghcr.io/acme/api' });
    expect((await h.post(missingTag)).body.reason).toMatch(/^promotion request: tag: /);
    expect((await h.post('{not json')).body).toEqual({ error: 'bad request', reason: 'body is not valid JSON' });
    const text = body();
    const badKey = await h.post(text, { 'x-hoist-signature-256': signatureOf(text), 'idempotency-key': 'a#b@c' });
    expect(badKey).toMatchObject({ status: 400, body: { reason: expect.stringMatching(/^Idempotency-Key: /) } });
    expect(h.queued).toEqual([]);
  });

  it('answers 413 for a body over the limit before verifying it', async () => {
    const h = harness({ maxBodyBytes: 64 });
    const text = body({ source: 'x'.repeat(100) });
    expect(await h.post(text)).toMatchObject({ status: 413, body: { error: 'payload too large' } });
    expect(h.queued).toEqual([]);
  });

  it('answers 503 when the queue cannot be reached, and the retry with the same key is accepted', async () => {
    let failing = true;
    const sent: EventEnvelope[] = [];
    const h = harness({
      queue: {
        enqueue: async (envelopes) => {
          if (failing) throw new Error('connect ECONNREFUSED');
          sent.push(...envelopes);
        },
      },
    });
    const text = body();
    const headers = { 'x-hoist-signature-256': signatureOf(text), 'idempotency-key': 'flaky-1' };
    expect((await h.post(text, headers)).status).toBe(503);
    failing = false;
    expect(await h.post(text, headers)).toEqual({ status: 202, body: { status: 'accepted', id: 'flaky-1' } });
    expect(sent.map((e) => e.id)).toEqual(['ci:flaky-1#0@gitops:main']);
  });
});

describe('promotions handler: GET /promotions/{id}', () => {
  it('answers the stored outcome to a request signed over its path', async () => {
    const h = harness();
    const outcome = {
      id: 'p-1',
      status: 'promoted' as const,
      updatedAt: NOW.toISOString(),
      changes: [{ repository: 'gitops', branch: 'main', commit: 'abc1234', url: 'https://git.example/gitops/commit/abc1234' }],
      reasons: [],
    };
    await h.outcomes.put(outcome);
    expect(await h.get('p-1')).toEqual({ status: 200, body: outcome });
  });

  it('answers 404 for an unknown id, signed', async () => {
    const h = harness();
    expect(await h.get('nobody')).toEqual({ status: 404, body: { error: 'not found', reason: 'no promotion with that id is known' } });
  });

  it('answers 401 to an unsigned request, or one signed for another id or the empty body, even for a known id', async () => {
    const h = harness();
    await h.outcomes.put({ id: 'p-2', status: 'queued', updatedAt: NOW.toISOString(), changes: [], reasons: [] });
    expect((await h.get('p-2', {})).status).toBe(401);
    expect((await h.get('p-2', { 'x-hoist-signature-256': signatureOf('/promotions/p-1') })).status).toBe(401);
    expect((await h.get('p-2', { 'x-hoist-signature-256': signatureOf('') })).status).toBe(401);
    // An unknown id is a 401 too when unsigned: nobody learns which ids exist.
    expect((await h.get('nobody', {})).status).toBe(401);
  });

  it('answers 405 for other methods and 404 for paths below an id', async () => {
    const h = harness();
    expect((await h.invoke('GET', '/promotions', {})).status).toBe(405);
    expect((await h.invoke('DELETE', '/promotions/p-1', {})).status).toBe(405);
    expect((await h.invoke('GET', '/promotions/p-1/extra', {})).status).toBe(404);
  });
});
