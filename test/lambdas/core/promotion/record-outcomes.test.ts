import { describe, expect, it } from 'vitest';
import { MemoryPromotionOutcomeStore } from '../../../../lambdas/clients/local/memory-promotion-outcomes';
import { type EventEnvelope, EventEnvelopeSchema } from '../../../../lambdas/core/events';
import type { PromotionOutcome } from '../../../../lambdas/core/ports';
import type { AnnouncedChange } from '../../../../lambdas/core/promotion/announce';
import { recordOutcomes } from '../../../../lambdas/core/promotion/record-outcomes';

/** One CI request routed to two branches: one envelope per branch, as intake queues it. */
const envelopeFor = (branch: string): EventEnvelope =>
  EventEnvelopeSchema.parse({
    id: `ci:run-9#0@gitops:${branch}`,
    host: 'ci',
    deliveryId: 'run-9',
    receivedAt: '2026-11-23T08:00:00.000Z',
    route: { repository: 'gitops', branch },
    event: {
      type: 'promotion.requested',
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      repository: 'team/api',
      tag: '1.4.9',
      requestedAt: '2026-11-23T08:00:00.000Z',
    },
  });

/** What recordOutcomes reads of an applied change: its branch, commit and the envelopes it promoted. */
const appliedOn = (branch: string, commit: string, envelope: EventEnvelope): AnnouncedChange =>
  ({ change: { repository: 'gitops', branch, promotions: [{ envelopeIds: [envelope.id] }] }, commit, refreshFailures: [] }) as unknown as AnnouncedChange;

/** A store that, like a remote one, answers a read a while after it was made: other work runs in between. */
class YieldingStore extends MemoryPromotionOutcomeStore {
  override async get(id: string): Promise<PromotionOutcome | undefined> {
    const read = await super.get(id);
    await new Promise((resolve) => setImmediate(resolve));
    return read;
  }
}

describe('recordOutcomes', () => {
  it('keeps the changes of both branches of one request when both finish at once', async () => {
    const store = new YieldingStore();
    const main = envelopeFor('main');
    const prod = envelopeFor('hoist/prod/api');
    const now = new Date('2026-11-23T08:00:01.000Z');
    await Promise.all([
      recordOutcomes([main], { applied: [appliedOn('main', 'a'.repeat(40), main)], noops: [], failures: [] }, store, now),
      recordOutcomes([prod], { applied: [appliedOn('hoist/prod/api', 'b'.repeat(40), prod)], noops: [], failures: [] }, store, now),
    ]);
    const outcome = await store.get('run-9');
    expect(outcome?.status).toBe('promoted');
    expect(outcome?.changes.map((c) => c.branch).sort()).toEqual(['hoist/prod/api', 'main']);
  });
});
