import { enqueueEcrImage } from './enqueue-ecr-image';
import type { EnqueueOnceDeps } from './enqueue-once';
import { parseEcrEvent } from './parse-ecr-event';

/**
 * What became of one ECR event: `id` is EventBridge's event id (for logs),
 * `delivery` the pushed image the ledger keys it by (see ecrDeliveryId).
 */
export type EcrIntakeResult =
  | { readonly status: 'accepted'; readonly id: string; readonly delivery: string }
  | { readonly status: 'duplicate'; readonly id: string; readonly delivery: string }
  | { readonly status: 'ignored'; readonly id: string; readonly delivery?: string; readonly reason: string };

/**
 * Parses, de-duplicates and queues one ECR event. The ledger keys it by the
 * pushed image, not the event id, so EventBridge's redelivery and the
 * scheduled reconcile of the same push are both duplicates of the first.
 */
export async function receiveEcrEvent(input: unknown, deps: EnqueueOnceDeps & { readonly now: () => Date }): Promise<EcrIntakeResult> {
  const { outcome, eventId } = parseEcrEvent(input);
  const image = outcome.kind === 'events' ? outcome.events.find((event) => event.type === 'image.published') : undefined;
  if (image?.type !== 'image.published') {
    return { status: 'ignored', id: eventId, reason: outcome.kind === 'ignored' ? outcome.reason : 'not an image push' };
  }
  const result = await enqueueEcrImage(image, deps.now(), deps);
  switch (result.status) {
    case 'ignored':
      return { status: 'ignored', id: eventId, delivery: result.delivery, reason: result.reason };
    case 'queued':
      return { status: 'accepted', id: eventId, delivery: result.delivery };
    case 'duplicate':
      return { status: 'duplicate', id: eventId, delivery: result.delivery };
  }
}
