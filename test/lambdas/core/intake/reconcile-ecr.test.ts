import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../../lambdas/clients/local/memory-delivery-ledger';
import { PromotionConfigSchema } from '../../../../lambdas/core/config/promotion-config';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import type { EnqueueOnceDeps } from '../../../../lambdas/core/intake/enqueue-once';
import { parseEcrEvent } from '../../../../lambdas/core/intake/parse-ecr-event';
import { receiveEcrEvent } from '../../../../lambdas/core/intake/receive-ecr-event';
import { reconcileEcr, selectNewestImages } from '../../../../lambdas/core/intake/reconcile-ecr';
import type { ListedImage } from '../../../../lambdas/core/ports';
import { workOf } from '../../../../lambdas/core/promotion/triggers';
import { UnavailableError } from '../../../../lambdas/shared/errors';
import { digestOf } from '../../../support/ecr-pushes';
import { StaticImageLister } from '../../../support/static-image-lister';
import { fixture } from '../../../support/webhook-examples';

const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
const API = `${REGISTRY}/team/api`;
const WORKER = `${REGISTRY}/team/worker`;
/** The image of the AWS docs push example (test/fixtures/ecr/push.json). */
const PUSHED: ListedImage = {
  tag: '1.4.3',
  digest: 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678',
  pushedAt: '2026-11-16T01:54:34.000Z',
};

/** team/api goes to two branches; team/worker is watched by ECR but no target names it. */
const config = PromotionConfigSchema.parse({
  repositories: [{ name: 'gitops', provider: 'git', url: '/x' }],
  images: [
    {
      image: '*.dkr.ecr.*.amazonaws.com/team/api',
      targets: [
        { repository: 'gitops', file: 'dev/values.yaml', environment: 'dev' },
        { repository: 'gitops', file: 'prod/values.yaml', environment: 'prod', mode: 'pull-request' },
      ],
    },
  ],
});

/** Intake over an in-memory ledger and an in-process queue, recording what is queued. */
function intake(overrides: Partial<EnqueueOnceDeps> = {}) {
  const queued: EventEnvelope[] = [];
  const queue = new InProcessQueue(async (envelope) => {
    queued.push(envelope);
  });
  const deps = {
    ledger: new MemoryDeliveryLedger(),
    queue,
    log: { warn: () => undefined },
    now: () => new Date('2026-11-16T02:00:00Z'),
    workOf: (event: Parameters<typeof workOf>[1]) => workOf(config, event),
    ...overrides,
  };
  return { deps, queued, drain: () => queue.drain() };
}

/** `count` images of one tag each, pushed a minute apart: tag `1.0.<n>`, newest last. */
function images(count: number): ListedImage[] {
  return Array.from({ length: count }, (_, n) => ({
    tag: `1.0.${n}`,
    digest: digestOf(`image ${n}`),
    pushedAt: new Date(Date.UTC(2026, 10, 16, 1, n)).toISOString(),
  }));
}

describe('ECR reconcile: one delivery per image push, whichever path reports it', () => {
  it('queues a push once when EventBridge delivered it first: the reconcile finds it already seen', async () => {
    const { deps, queued, drain } = intake();
    expect(await receiveEcrEvent(fixture('ecr/push.json'), deps)).toMatchObject({ status: 'accepted' });
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: [PUSHED] }) }, deps);
    expect(result).toEqual({ listed: 1, older: 0, queued: 0, alreadySeen: 1, ignored: [], failed: [] });
    await drain();
    // One envelope per GitOps branch of the one push, none twice.
    expect(queued.map((e) => e.id)).toEqual([`ecr:${API}:1.4.3@${PUSHED.digest}#0@gitops:main`, `ecr:${API}:1.4.3@${PUSHED.digest}#0@gitops:hoist/prod/api`]);
  });

  it('answers duplicate to the EventBridge event of a push the reconcile queued first, with the same envelope ids', async () => {
    const { deps, queued, drain } = intake();
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: [PUSHED] }) }, deps);
    expect(result).toMatchObject({ queued: 1, alreadySeen: 0 });
    expect(await receiveEcrEvent(fixture('ecr/push.json'), deps)).toEqual({
      status: 'duplicate',
      id: '13cde686-328b-6117-af20-0e5566167482',
      delivery: `${API}:1.4.3@${PUSHED.digest}`,
    });
    await drain();
    expect(queued.map((e) => e.id)).toEqual([`ecr:${API}:1.4.3@${PUSHED.digest}#0@gitops:main`, `ecr:${API}:1.4.3@${PUSHED.digest}#0@gitops:hoist/prod/api`]);
  });

  it('builds the event the ECR parser builds, reported by the reconcile', async () => {
    const { deps, queued, drain } = intake();
    await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: [PUSHED] }) }, deps);
    await drain();
    const parsed = parseEcrEvent(fixture('ecr/push.json')).outcome;
    expect(parsed.kind === 'events' && parsed.events[0]).toEqual({ ...queued[0]?.event, reportedBy: { host: 'ecr', event: 'ECR Image Action' } });
    expect(queued[0]?.event).toMatchObject({ reportedBy: { host: 'ecr', event: 'ECR reconcile' } });
  });

  it('runs again without queueing anything twice', async () => {
    const { deps, queued, drain } = intake();
    const input = { repositories: [API], lister: new StaticImageLister({ [API]: images(3) }) };
    expect(await reconcileEcr(input, deps)).toMatchObject({ queued: 3, alreadySeen: 0 });
    expect(await reconcileEcr(input, deps)).toMatchObject({ queued: 0, alreadySeen: 3 });
    await drain();
    expect(queued).toHaveLength(6);
  });
});

describe('ECR reconcile: what it looks at', () => {
  it('queues the newest 10 of 15 images, oldest first, whatever order the registry lists them in', async () => {
    const { deps, queued, drain } = intake({ workOf: undefined });
    const listed = images(15).reverse();
    [listed[0], listed[9]] = [listed[9] as ListedImage, listed[0] as ListedImage];
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: listed }) }, deps);
    expect(result).toEqual({ listed: 15, older: 5, queued: 10, alreadySeen: 0, ignored: [], failed: [] });
    await drain();
    expect(queued.map((e) => (e.event.type === 'image.published' ? e.event.tag : ''))).toEqual(
      ['5', '6', '7', '8', '9', '10', '11', '12', '13', '14'].map((n) => `1.0.${n}`),
    );
  });

  it('takes another number of newest images when told', async () => {
    const { deps } = intake();
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: images(15) }), newest: 3 }, deps);
    expect(result).toMatchObject({ listed: 15, older: 12, queued: 3 });
  });

  it('counts an image pushed under several tags once, and queues each of its tags', () => {
    const [a, b, c] = images(3) as [ListedImage, ListedImage, ListedImage];
    const latest = { ...c, tag: 'latest' };
    expect(selectNewestImages([a, b, c, latest], 2).map((i) => i.tag)).toEqual(['1.0.2', 'latest', '1.0.1']);
  });

  it('ignores images no target is configured for, with the reason, and queues the rest', async () => {
    const { deps, queued, drain } = intake();
    const lister = new StaticImageLister({ [API]: [PUSHED], [WORKER]: images(2) });
    const result = await reconcileEcr({ repositories: [API, WORKER], lister }, deps);
    expect(result).toEqual({
      listed: 3,
      older: 0,
      queued: 1,
      alreadySeen: 0,
      ignored: [
        { image: `${WORKER}:1.0.0@${digestOf('image 0')}`, reason: `no target is configured for ${WORKER}` },
        { image: `${WORKER}:1.0.1@${digestOf('image 1')}`, reason: `no target is configured for ${WORKER}` },
      ],
      failed: [],
    });
    await drain();
    expect(new Set(queued.map((e) => e.deliveryId))).toEqual(new Set([`${API}:1.4.3@${PUSHED.digest}`]));
  });

  it('ignores a tag the event model refuses, with the reason, and goes on', async () => {
    const { deps } = intake();
    const bad = { ...PUSHED, tag: '.hidden', digest: digestOf('bad') };
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: [bad, PUSHED] }) }, deps);
    expect(result.queued).toBe(1);
    expect(result.ignored).toEqual([{ image: `${API}:.hidden@${bad.digest}`, reason: expect.stringMatching(/^ecr event: event\.tag: expected a tag/) }]);
  });

  it('reports a repository it cannot list and reconciles the others', async () => {
    const { deps } = intake();
    const lister = new StaticImageLister({ [API]: [PUSHED] });
    const result = await reconcileEcr({ repositories: [WORKER, API], lister }, deps);
    expect(result).toMatchObject({ queued: 1, failed: [{ repository: WORKER, reason: expect.stringContaining('does not exist') }] });
    expect(lister.asked).toEqual([WORKER, API]);
  });

  it('stops when the queue cannot be reached, leaving the push unseen for the next run', async () => {
    const down = { enqueue: async () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const { deps } = intake({ queue: down });
    const input = { repositories: [API], lister: new StaticImageLister({ [API]: [PUSHED] }) };
    await expect(reconcileEcr(input, deps)).rejects.toThrowError(UnavailableError);
    const next = intake({ ledger: deps.ledger });
    expect(await reconcileEcr(input, next.deps)).toMatchObject({ queued: 1, alreadySeen: 0 });
  });

  it('counts a push another path is queueing right now as seen', async () => {
    const { deps } = intake();
    await deps.ledger.claim(`ecr:${API}:1.4.3@${PUSHED.digest}`, deps.now());
    const result = await reconcileEcr({ repositories: [API], lister: new StaticImageLister({ [API]: [PUSHED] }) }, deps);
    expect(result).toMatchObject({ queued: 0, alreadySeen: 1 });
  });
});
