import { ConflictError, UnavailableError } from '../../shared/errors';
import { type EventEnvelope, EventEnvelopeSchema, type HoistEvent, type SourceHost } from '../events';
import type { DeliveryLedger, EventQueue, WarningLog } from '../ports';
import type { Work } from '../promotion/triggers';
import { parseWith } from './intake-outcome';

export interface EnqueueOnceDeps {
  readonly ledger: DeliveryLedger;
  readonly queue: EventQueue;
  readonly log: WarningLog;
  /**
   * What an event implies under the promotion config (the core's `workOf`):
   * the GitOps branches it goes to, or why it implies nothing. Without it
   * (no config at hand) every event is queued, ordered by source.
   */
  readonly workOf?: (event: HoistEvent) => Work;
}

/**
 * Queues the envelopes of one delivery unless that delivery was queued before.
 * A failed enqueue gives the claim back, so the sender's retry is not taken
 * for a duplicate and nothing is lost. `beforeEnqueue` runs only for the
 * request that won the claim, before anything reaches the queue (so nothing
 * downstream can have seen the delivery yet); if it fails, the claim is given
 * back too.
 */
export async function enqueueOnce(
  key: string,
  envelopes: readonly EventEnvelope[],
  now: Date,
  deps: EnqueueOnceDeps,
  beforeEnqueue?: () => Promise<void>,
): Promise<'queued' | 'duplicate'> {
  const claim = await deps.ledger.claim(key, now);
  if (claim === 'duplicate') return 'duplicate';
  if (claim === 'in-progress') throw new ConflictError(`delivery '${key}' is being processed; retry later`);
  try {
    await beforeEnqueue?.();
    await deps.queue.enqueue(envelopes);
  } catch (error) {
    await deps.ledger.release(key).catch((releaseError: unknown) => {
      deps.log.warn('could not release delivery claim', { key, error: String(releaseError) });
    });
    throw new UnavailableError(`could not queue delivery '${key}'`, { cause: error });
  }
  try {
    await deps.ledger.complete(key, now);
  } catch (error) {
    // The events are queued; the claim's lease lapses on its own and the
    // queue's own de-duplication covers a redelivery in the meantime.
    deps.log.warn('could not mark delivery complete', { key, error: String(error) });
  }
  return 'queued';
}

/**
 * Wraps the events of one delivery into queue envelopes with stable ids
 * (`<host>:<delivery>#<index>`), validating each against the event model. An
 * event that goes to several GitOps branches becomes one envelope per branch
 * (`…#<index>@<repository>:<branch>`); an event that implies no work is not
 * queued, and its reason is returned instead, so intake can answer `ignored`.
 */
export function buildEnvelopes(
  host: SourceHost,
  deliveryId: string,
  receivedAt: Date,
  events: readonly HoistEvent[],
  workOf?: (event: HoistEvent) => Work,
): { key: string; envelopes: EventEnvelope[]; ignored: string[] } {
  const key = `${host}:${deliveryId}`;
  const ignored: string[] = [];
  const envelopes = events.flatMap((event, index) => {
    const base = { id: `${key}#${index}`, host, deliveryId, receivedAt: receivedAt.toISOString(), event };
    const work = workOf?.(event) ?? { kind: 'promote' as const, routes: [] };
    if (work.kind === 'none') {
      ignored.push(work.reason);
      return [];
    }
    const raw = work.routes.length === 0 ? [base] : work.routes.map((route) => ({ ...base, id: `${base.id}@${route.repository}:${route.branch}`, route }));
    return raw.map((envelope) => parseWith(EventEnvelopeSchema, envelope, `${host} event`));
  });
  return { key, envelopes, ignored };
}
