import type { ImagePublished } from '../events';
import { ecrDeliveryId } from './ecr-delivery-id';
import { buildEnvelopes, type EnqueueOnceDeps, enqueueOnce } from './enqueue-once';

/** What became of one ECR image push: queued, seen before, or implying no work (with the reason). */
export type EcrImageResult =
  | { readonly status: 'queued'; readonly delivery: string }
  | { readonly status: 'duplicate'; readonly delivery: string }
  | { readonly status: 'ignored'; readonly delivery: string; readonly reason: string };

/**
 * Queues one pushed ECR image once, whichever path reports it: the delivery
 * key is `ecr:<image reference>` (see ecrDeliveryId), so the EventBridge event
 * and the scheduled reconcile of one push share it, and their envelopes share
 * their ids.
 */
export async function enqueueEcrImage(image: ImagePublished, receivedAt: Date, deps: EnqueueOnceDeps): Promise<EcrImageResult> {
  const delivery = ecrDeliveryId(image);
  const { key, envelopes, ignored } = buildEnvelopes('ecr', delivery, receivedAt, [image], deps.workOf);
  if (envelopes.length === 0) return { status: 'ignored', delivery, reason: ignored.join('; ') };
  return { status: await enqueueOnce(key, envelopes, receivedAt, deps), delivery };
}
