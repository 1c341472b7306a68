import type { EventEnvelope, ImagePublished } from './events';

/** The canonical image reference `registry/repository`. */
export function imageNameOf(event: Pick<ImagePublished, 'registry' | 'repository'>): string {
  return `${event.registry}/${event.repository}`;
}

/**
 * The key that orders envelopes on the queue (the FIFO message group).
 * Envelopes with the same key are processed one after another; different
 * keys run in parallel. A routed envelope is ordered by its GitOps branch,
 * anything else by where the event came from.
 */
export function orderingKeyOf(envelope: Pick<EventEnvelope, 'event' | 'route'>): string {
  if (envelope.route !== undefined) return `gitops:${envelope.route.repository}:${envelope.route.branch}`;
  const event = envelope.event;
  switch (event.type) {
    case 'image.published':
    case 'promotion.requested':
    case 'gate.passed':
      return `image:${imageNameOf(event)}`;
    case 'git.push':
    case 'ci.succeeded':
    case 'change.merged':
      return `${event.host}:${event.repository}`;
    case 'approval.decided':
      return `approval:${event.repository}:${event.number}`;
  }
}
