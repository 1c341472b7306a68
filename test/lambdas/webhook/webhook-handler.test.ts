import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { beforeEach, describe, expect, it } from 'vitest';
import { localLambdaContext } from '../../../dev/lambda-context';
import { toApiGatewayEvent } from '../../../dev/to-api-gateway-event';
import { EnvWebhookSecrets } from '../../../lambdas/clients/local/env-webhook-secrets';
import { InProcessQueue } from '../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../lambdas/clients/local/memory-delivery-ledger';
import { PromotionConfigSchema } from '../../../lambdas/core/config/promotion-config';
import type { EventEnvelope, HoistEvent } from '../../../lambdas/core/events';
import type { EventQueue } from '../../../lambdas/core/ports';
import { type Work, workOf } from '../../../lambdas/core/promotion/triggers';
import { createWebhookHandler } from '../../../lambdas/webhook/create-webhook-handler';
import { fixture, githubExamples } from '../../support/webhook-examples';

const SECRETS = {
  HOIST_WEBHOOK_SECRET_GITHUB: JSON.stringify({ default: ['new-secret', 'old-secret'], repositories: { 'octo-org/api': 'api-secret' } }),
  HOIST_WEBHOOK_SECRET_GITLAB: 'gitlab-token',
  HOIST_WEBHOOK_SECRET_GITEA: JSON.stringify({ default: 'gitea-secret', repositories: { 'gitea/api': 'gitea-api-secret' } }),
};

/** GitHub's registry_package fixture (repository and package `octo-org/api`) with its image moved to `imagePath`. */
function registryPackage(imagePath = 'octo-org/api', registry = 'ghcr.io', tag = '1.4.3'): Record<string, any> {
  const payload = structuredClone(fixture('github/registry-package-container.json'));
  payload.registry_package.name = imagePath.slice(imagePath.indexOf('/') + 1);
  payload.registry_package.package_version.container_metadata.tag.name = tag;
  payload.registry_package.package_version.package_url = `${registry}/${imagePath}:${tag}`;
  return payload;
}

const pushPayload = () => githubExamples('push').find((p) => p.ref === 'refs/heads/master');

interface Harness {
  queued: EventEnvelope[];
  queue: InProcessQueue;
  invoke(host: string, headers: Record<string, string>, body: string | Buffer, method?: string): Promise<{ status: number; body: any }>;
}

function harness(options: { maxBodyBytes?: number; queue?: EventQueue; workOf?: (event: HoistEvent) => Work } = {}): Harness {
  const queued: EventEnvelope[] = [];
  const queue = new InProcessQueue(async (envelope) => {
    queued.push(envelope);
  });
  const handler = createWebhookHandler({
    secrets: new EnvWebhookSecrets(SECRETS, ['github', 'gitlab', 'gitea']),
    ledger: new MemoryDeliveryLedger(),
    queue: options.queue ?? queue,
    log: { warn: () => undefined },
    now: () => new Date('2026-11-23T08:00:00Z'),
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    ...(options.workOf ? { workOf: options.workOf } : {}),
  });
  return {
    queued,
    queue,
    async invoke(host, headers, body, method = 'POST') {
      const event = toApiGatewayEvent(method, new URL(`https://hoist.example/webhooks/${host}`), headers, Buffer.from(body));
      const result = await handler(event, localLambdaContext('test'));
      await queue.drain();
      return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') };
    },
  };
}

async function githubHeaders(body: string, secret = 'new-secret', event = 'push', delivery = 'd-1') {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': await sign(secret, body),
  };
}

const giteaSignature = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('webhook handler: only events that imply work are accepted', () => {
  const config = PromotionConfigSchema.parse({
    repositories: [{ name: 'gitops', provider: 'git', url: '/x' }],
    images: [{ image: 'ghcr.io/octo-org/api', targets: [{ repository: 'gitops', file: 'dev/values.yaml', environment: 'dev' }] }],
  });

  it('answers ignored with the reason for a push, and queues nothing', async () => {
    const h = harness({ workOf: (event) => workOf(config, event) });
    const body = JSON.stringify(pushPayload());
    const res = await h.invoke('github', await githubHeaders(body), body);
    expect(res).toEqual({
      status: 202,
      body: { status: 'ignored', ignored: "no image lists this branch push of github Codertocat/Hello-World in its 'from'" },
    });
    expect(h.queued).toEqual([]);
  });

  it('accepts a package event for a configured image with one envelope per GitOps branch, and ignores an unconfigured one', async () => {
    const h = harness({ workOf: (event) => workOf(config, event) });
    const body = JSON.stringify(registryPackage('octo-org/api'));
    const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-1'), body);
    expect(res.body).toMatchObject({ status: 'accepted', queued: 1 });
    expect(h.queued.map((e) => e.id)).toEqual(['github:p-1#0@gitops:main']);
    const elsewhere = PromotionConfigSchema.parse({ ...config, images: [{ ...config.images[0], image: 'ghcr.io/octo-org/web' }] });
    const other = harness({ workOf: (event) => workOf(elsewhere, event) });
    const ignored = await other.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-2'), body);
    expect(ignored.body).toEqual({ status: 'ignored', ignored: 'no target is configured for ghcr.io/octo-org/api' });
    expect(other.queued).toEqual([]);
  });
});

describe('webhook handler', () => {
  let h: Harness;
  beforeEach(() => {
    h = harness();
  });

  describe('GitHub', () => {
    it('accepts a signed push and queues one normalized event', async () => {
      const body = JSON.stringify(pushPayload());
      const res = await h.invoke('github', await githubHeaders(body), body);
      expect(res).toEqual({ status: 202, body: { status: 'accepted', delivery: 'd-1', events: ['git.push'], queued: 1 } });
      expect(h.queued).toHaveLength(1);
      expect(h.queued[0]).toMatchObject({ id: 'github:d-1#0', host: 'github', deliveryId: 'd-1', event: { type: 'git.push' } });
    });

    it('accepts the previous secret during a rotation', async () => {
      const body = JSON.stringify(pushPayload());
      const res = await h.invoke('github', await githubHeaders(body, 'old-secret'), body);
      expect(res.status).toBe(202);
    });

    it("uses a repository's own secret when it has one, and refuses the default for it", async () => {
      const body = JSON.stringify(fixture('github/registry-package-container.json'));
      const own = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-1'), body);
      expect(own.status).toBe(202);
      const viaDefault = await h.invoke('github', await githubHeaders(body, 'new-secret', 'registry_package', 'p-2'), body);
      expect(viaDefault).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'x-hub-signature-256 does not match' } });
      expect(h.queued).toHaveLength(1);
    });

    it('answers 400 naming the tag for a signed package whose tag breaks the grammar, and queues nothing', async () => {
      for (const [index, tag] of ['1.4.3\nSigned-off-by: someone', '1.4.3 beta', '.hidden', `v${'1'.repeat(128)}`].entries()) {
        const body = JSON.stringify(registryPackage('octo-org/api', 'ghcr.io', tag));
        const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', `bad-tag-${index}`), body);
        expect(res.status).toBe(400);
        expect(res.body.reason).toMatch(/^github event: event\.tag: expected a tag of \[A-Za-z0-9_\]/);
      }
      expect(h.queued).toHaveLength(0);
    });

    describe("a repository's own secret speaks for that repository only", () => {
      it('accepts its own images, also below its path', async () => {
        for (const [index, path] of ['octo-org/api', 'octo-org/api/worker'].entries()) {
          const body = JSON.stringify(registryPackage(path));
          const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', `own-${index}`), body);
          expect(res.status).toBe(202);
        }
        expect(h.queued.map((e) => e.event.type === 'image.published' && e.event.repository)).toEqual(['octo-org/api', 'octo-org/api/worker']);
      });

      it('refuses with 403 another package of the same owner, queues nothing and leaves the delivery id unclaimed', async () => {
        const body = JSON.stringify(registryPackage('octo-org/svc-03'));
        const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-9'), body);
        expect(res).toEqual({
          status: 403,
          body: {
            error: 'forbidden',
            reason:
              "signed with the secret of 'octo-org/api', which speaks for that repository only: event 0 (image.published) is an image of another repository",
          },
        });
        expect(h.queued).toHaveLength(0);
        const own = JSON.stringify(registryPackage());
        const retry = await h.invoke('github', await githubHeaders(own, 'api-secret', 'registry_package', 'p-9'), own);
        expect(retry.status).toBe(202);
      });

      it('refuses with 403 an image of a name-sake repository on another registry', async () => {
        const body = JSON.stringify(registryPackage('octo-org/api', '123456789012.dkr.ecr.eu-west-1.amazonaws.com'));
        const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-10'), body);
        expect(res.status).toBe(403);
        expect(res.body.reason).toMatch(/event 0 \(image\.published\) is an image on another registry$/);
        expect(h.queued).toHaveLength(0);
      });

      it('refuses with 403 an image whose path only starts like the repository', async () => {
        const body = JSON.stringify(registryPackage('octo-org/api-admin'));
        const res = await h.invoke('github', await githubHeaders(body, 'api-secret', 'registry_package', 'p-11'), body);
        expect(res.status).toBe(403);
      });

      it('lets the default secret announce any image', async () => {
        const payload = registryPackage('someone-else/thing');
        payload.repository.full_name = 'octo-org/web';
        const body = JSON.stringify(payload);
        const res = await h.invoke('github', await githubHeaders(body, 'new-secret', 'registry_package', 'p-12'), body);
        expect(res.status).toBe(202);
        expect(h.queued[0]?.event).toMatchObject({ registry: 'ghcr.io', repository: 'someone-else/thing' });
      });
    });

    it('accepts a form-encoded body, verifying the signature of the encoded form', async () => {
      const body = new URLSearchParams({ payload: JSON.stringify(pushPayload()) }).toString();
      const headers = { ...(await githubHeaders(body)), 'content-type': 'application/x-www-form-urlencoded' };
      const res = await h.invoke('github', headers, body);
      expect(res.status).toBe(202);
      expect(h.queued).toHaveLength(1);
    });

    it('decodes a base64 body from API Gateway before checking the signature', async () => {
      const body = JSON.stringify(pushPayload());
      // An unknown content type makes the gateway (and its local stand-in) base64-encode the body.
      const headers = { ...(await githubHeaders(body)), 'content-type': 'application/octet-stream' };
      const event = toApiGatewayEvent('POST', new URL('https://h/webhooks/github'), headers, Buffer.from(body));
      expect(event.isBase64Encoded).toBe(true);
      const res = await h.invoke('github', headers, body);
      expect(res.status).toBe(202);
    });

    it('answers ping with 200 and queues nothing', async () => {
      const body = JSON.stringify(githubExamples('ping')[0]);
      const res = await h.invoke('github', await githubHeaders(body, 'new-secret', 'ping'), body);
      expect(res).toEqual({ status: 200, body: { status: 'pong' } });
      expect(h.queued).toHaveLength(0);
    });

    it('answers 401 and queues nothing for a wrong or missing signature', async () => {
      const body = JSON.stringify(pushPayload());
      const wrong = await h.invoke('github', await githubHeaders(body, 'not-the-secret'), body);
      expect(wrong).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'x-hub-signature-256 does not match' } });
      const { 'x-hub-signature-256': _, ...unsigned } = await githubHeaders(body);
      const missing = await h.invoke('github', unsigned, body);
      expect(missing).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'missing x-hub-signature-256 header' } });
      expect(h.queued).toHaveLength(0);
    });

    it('answers 401 before 400: an unsigned malformed body reveals nothing about its parsing', async () => {
      const res = await h.invoke('github', { 'content-type': 'application/json', 'x-github-event': 'push' }, '{not json');
      expect(res.status).toBe(401);
    });

    it('answers 400 with the reason for signed malformed JSON', async () => {
      const body = '{"ref": ';
      const res = await h.invoke('github', await githubHeaders(body), body);
      expect(res).toEqual({ status: 400, body: { error: 'bad request', reason: 'body is not valid JSON' } });
      expect(h.queued).toHaveLength(0);
    });

    it('answers 400 with the zod reason for a signed payload that fails the schema', async () => {
      const payload = pushPayload();
      if (payload === undefined) throw new Error('no push example on master');
      payload.after = 'not-a-sha';
      const body = JSON.stringify(payload);
      const res = await h.invoke('github', await githubHeaders(body), body);
      expect(res.status).toBe(400);
      expect(res.body.reason).toMatch(/^github event: event\.after: expected a hex commit SHA/);
      expect(h.queued).toHaveLength(0);
    });

    it('answers 400 when X-GitHub-Event is missing', async () => {
      const body = JSON.stringify(pushPayload());
      const { 'x-github-event': _, ...headers } = await githubHeaders(body);
      const res = await h.invoke('github', headers, body);
      expect(res).toEqual({ status: 400, body: { error: 'bad request', reason: 'missing x-github-event header' } });
    });

    it('answers 202 ignored for events it does not handle', async () => {
      const [npmPackage] = githubExamples('package');
      const body = JSON.stringify(npmPackage);
      const res = await h.invoke('github', await githubHeaders(body, 'new-secret', 'package'), body);
      expect(res).toEqual({ status: 202, body: { status: 'ignored', ignored: "package type 'npm' is not a container image" } });
      expect(h.queued).toHaveLength(0);
    });

    it('answers a redelivery with 200 duplicate and queues it only once', async () => {
      const body = JSON.stringify(pushPayload());
      const headers = await githubHeaders(body);
      expect((await h.invoke('github', headers, body)).status).toBe(202);
      const again = await h.invoke('github', headers, body);
      expect(again).toEqual({ status: 200, body: { status: 'duplicate', delivery: 'd-1' } });
      expect(h.queued).toHaveLength(1);
    });

    it('answers 413 for a body over the limit, before any parsing', async () => {
      const small = harness({ maxBodyBytes: 1024 });
      const body = JSON.stringify(pushPayload());
      const res = await small.invoke('github', await githubHeaders(body), body);
      expect(res.status).toBe(413);
      expect(res.body.reason).toBe(`body of ${Buffer.byteLength(body)} bytes exceeds the limit of 1024 bytes`);
      expect(small.queued).toHaveLength(0);
    });

    it("answers 503 when the queue fails, and accepts the host's retry afterwards", async () => {
      let failing = true;
      const queued: EventEnvelope[] = [];
      const flaky = harness({
        queue: {
          enqueue: async (envelopes) => {
            if (failing) throw new Error('queue unreachable');
            queued.push(...envelopes);
          },
        },
      });
      const body = JSON.stringify(pushPayload());
      const headers = await githubHeaders(body);
      expect(await flaky.invoke('github', headers, body)).toEqual({ status: 503, body: { error: 'unavailable' } });
      failing = false;
      expect((await flaky.invoke('github', headers, body)).status).toBe(202);
      expect(queued).toHaveLength(1);
    });
  });

  describe('GitLab', () => {
    const gitlabHeaders = (token: string, extra: Record<string, string> = {}) => ({
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': token,
      'x-gitlab-event-uuid': 'uuid-1',
      ...extra,
    });

    it('accepts a push with the right token', async () => {
      const body = JSON.stringify(fixture('gitlab/push.json'));
      const res = await h.invoke('gitlab', gitlabHeaders('gitlab-token'), body);
      expect(res).toEqual({ status: 202, body: { status: 'accepted', delivery: 'uuid-1', events: ['git.push'], queued: 1 } });
    });

    it('refuses a wrong token with 401 and queues nothing', async () => {
      const body = JSON.stringify(fixture('gitlab/push.json'));
      const res = await h.invoke('gitlab', gitlabHeaders('gitlab-tokeN'), body);
      expect(res).toEqual({ status: 401, body: { error: 'unauthorized', reason: 'x-gitlab-token does not match' } });
      expect(h.queued).toHaveLength(0);
    });

    it('de-duplicates on Idempotency-Key, which stays the same across GitLab retries', async () => {
      const body = JSON.stringify(fixture('gitlab/push.json'));
      const first = await h.invoke('gitlab', gitlabHeaders('gitlab-token', { 'idempotency-key': 'key-1', 'x-gitlab-event-uuid': 'a' }), body);
      const retry = await h.invoke('gitlab', gitlabHeaders('gitlab-token', { 'idempotency-key': 'key-1', 'x-gitlab-event-uuid': 'b' }), body);
      expect(first.status).toBe(202);
      expect(retry).toEqual({ status: 200, body: { status: 'duplicate', delivery: 'key-1' } });
      expect(h.queued).toHaveLength(1);
    });
  });

  describe('Gitea', () => {
    it('accepts a push signed with X-Gitea-Signature (bare hex HMAC)', async () => {
      const body = JSON.stringify(fixture('gitea/push.json'));
      const res = await h.invoke(
        'gitea',
        { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-delivery': 'g-1', 'x-gitea-signature': giteaSignature('gitea-secret', body) },
        body,
      );
      expect(res.status).toBe(202);
      expect(h.queued[0]?.event).toMatchObject({ type: 'git.push', host: 'gitea', repository: 'gitea/webhooks' });
    });

    it("accepts a package linked to a repository with that repository's secret, and refuses another package with 403", async () => {
      const linked = (name: string) => {
        const payload = structuredClone(fixture('gitea/package.json'));
        payload.package.repository = { id: 2, name: 'api', full_name: 'gitea/api' };
        payload.package.name = name;
        return JSON.stringify(payload);
      };
      const headers = (body: string, delivery: string) => ({
        'content-type': 'application/json',
        'x-gitea-event': 'package',
        'x-gitea-delivery': delivery,
        'x-gitea-signature': giteaSignature('gitea-api-secret', body),
      });
      const own = linked('api');
      expect((await h.invoke('gitea', headers(own, 'g-2'), own)).status).toBe(202);
      const other = linked('svc-03');
      const refused = await h.invoke('gitea', headers(other, 'g-3'), other);
      expect(refused.status).toBe(403);
      expect(refused.body.reason).toMatch(/^signed with the secret of 'gitea\/api'/);
      expect(h.queued.map((e) => e.event.type === 'image.published' && e.event.repository)).toEqual(['gitea/api']);
    });

    it('refuses a bad signature with 401', async () => {
      const body = JSON.stringify(fixture('gitea/push.json'));
      const res = await h.invoke(
        'gitea',
        { 'content-type': 'application/json', 'x-gitea-event': 'push', 'x-gitea-signature': giteaSignature('other', body) },
        body,
      );
      expect(res.status).toBe(401);
      expect(h.queued).toHaveLength(0);
    });
  });

  it('answers 404 for an unknown host path and 405 for other methods', async () => {
    expect(await h.invoke('bitbucket', {}, '{}')).toEqual({ status: 404, body: { error: 'not found', reason: "no webhook endpoint for 'bitbucket'" } });
    expect((await h.invoke('github', {}, '', 'GET')).status).toBe(405);
  });

  it('answers 404 for a host with no secret configured', async () => {
    const handler = createWebhookHandler({
      secrets: new EnvWebhookSecrets({}, ['github', 'gitlab', 'gitea']),
      ledger: new MemoryDeliveryLedger(),
      queue: h.queue,
      log: { warn: () => undefined },
      now: () => new Date(),
      maxBodyBytes: 1024,
    });
    const event = toApiGatewayEvent('POST', new URL('https://h/webhooks/gitea'), { 'content-type': 'application/json' }, Buffer.from('{}'));
    const result = await handler(event, localLambdaContext('test'));
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '{}')).toEqual({ error: 'not found', reason: 'webhooks from gitea are not configured' });
  });
});
