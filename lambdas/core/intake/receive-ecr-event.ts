import { buildEnvelopes, type EnqueueOnceDeps, enqueueOnce } from './enqueue-once';
import { parseEcrEvent } from './parse-ecr-event';

export type EcrIntakeResult =
  | { readonly status: 'accepted'; readonly id: string }
  | { readonly status: 'duplicate'; readonly id: string }
  | { readonly status: 'ignored'; readonly id: string; readonly reason: string };

/** Parses, de-duplicates (EventBridge delivers at least once) and queues one ECR event. */
export async function receiveEcrEvent(input: unknown, deps: EnqueueOnceDeps & { readonly now: () => Date }): Promise<EcrIntakeResult> {
  const { outcome, eventId } = parseEcrEvent(input);
  if (outcome.kind !== 'events') {
    return { status: 'ignored', id: eventId, reason: outcome.kind === 'ignored' ? outcome.reason : 'not an image push' };
  }
  const receivedAt = deps.now();
  const { key, envelopes, ignored } = buildEnvelopes('ecr', eventId, receivedAt, outcome.events, deps.workOf);
  if (envelopes.length === 0) return { status: 'ignored', id: eventId, reason: ignored.join('; ') };
  const result = await enqueueOnce(key, envelopes, receivedAt, deps);
  return { status: result === 'queued' ? 'accepted' : 'duplicate', id: eventId };
}
