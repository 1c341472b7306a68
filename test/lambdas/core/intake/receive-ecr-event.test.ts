import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../../lambdas/clients/local/in-process-queue';
import { MemoryDeliveryLedger } from '../../../../lambdas/clients/local/memory-delivery-ledger';
import type { EventEnvelope } from '../../../../lambdas/core/events';
import { ecrDeliveryId, MAX_ECR_DELIVERY_ID_LENGTH } from '../../../../lambdas/core/intake/ecr-delivery-id';
import { receiveEcrEvent } from '../../../../lambdas/core/intake/receive-ecr-event';
import { digestOf } from '../../../support/ecr-pushes';
import { fixture } from '../../../support/webhook-examples';

const API = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api';
const DIGEST = 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678';

/** The intake's ledger and queue, in memory, recording what the queue is given. */
function intake() {
  const queued: EventEnvelope[] = [];
  const queue = new InProcessQueue(async (envelope) => {
    queued.push(envelope);
  });
  const deps = { ledger: new MemoryDeliveryLedger(), queue, log: { warn: () => undefined }, now: () => new Date('2026-11-16T01:55:00Z') };
  return { deps, queued, drain: () => queue.drain() };
}

/** The AWS docs push example (test/fixtures/ecr/push.json) with another event id, and another image when asked. */
function push(id: string, detail: Record<string, string> = {}): Record<string, any> {
  const event = fixture('ecr/push.json');
  event.id = id;
  Object.assign(event.detail, detail);
  return event;
}

describe('intake: ECR delivery ids name the pushed image', () => {
  it('keys a push by <registry>/<repository>:<tag>@<digest>, and its envelopes too', async () => {
    const { deps, queued, drain } = intake();
    expect(await receiveEcrEvent(push('event-1'), deps)).toEqual({ status: 'accepted', id: 'event-1', delivery: `${API}:1.4.3@${DIGEST}` });
    await drain();
    expect(queued.map((e) => [e.id, e.deliveryId])).toEqual([[`ecr:${API}:1.4.3@${DIGEST}#0`, `${API}:1.4.3@${DIGEST}`]]);
  });

  it('answers duplicate for the same image under another EventBridge event id', async () => {
    const { deps, queued, drain } = intake();
    await receiveEcrEvent(push('event-1'), deps);
    expect(await receiveEcrEvent(push('event-2'), deps)).toEqual({ status: 'duplicate', id: 'event-2', delivery: `${API}:1.4.3@${DIGEST}` });
    await drain();
    expect(queued).toHaveLength(1);
  });

  it('queues the same tag again when it is pushed as another image, and another tag of the same image', async () => {
    const { deps, queued, drain } = intake();
    await receiveEcrEvent(push('event-1'), deps);
    const repushed = digestOf('repushed');
    expect(await receiveEcrEvent(push('event-2', { 'image-digest': repushed }), deps)).toMatchObject({
      status: 'accepted',
      delivery: `${API}:1.4.3@${repushed}`,
    });
    expect(await receiveEcrEvent(push('event-3', { 'image-tag': 'latest' }), deps)).toMatchObject({ status: 'accepted', delivery: `${API}:latest@${DIGEST}` });
    await drain();
    expect(queued).toHaveLength(3);
  });

  it('keys a push by digest alone when it has no tag', () => {
    expect(ecrDeliveryId({ registry: 'r.example', repository: 'team/api', digest: DIGEST })).toBe(`r.example/team/api@${DIGEST}`);
  });

  it('hashes a reference longer than the bound, the same way every time', () => {
    const image = { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: `team/${'a'.repeat(150)}`, tag: 't'.repeat(100), digest: DIGEST };
    const id = ecrDeliveryId(image);
    expect(id).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(ecrDeliveryId({ ...image })).toBe(id);
    expect(ecrDeliveryId({ ...image, tag: 'u'.repeat(100) })).not.toBe(id);
    expect(ecrDeliveryId({ ...image, repository: 'team/api' }).length).toBeLessThanOrEqual(MAX_ECR_DELIVERY_ID_LENGTH);
  });
});
