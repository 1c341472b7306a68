import type { SecretChangeQueue } from '../ports';
import type { SecretChange } from '../secrets/secret-change';
import type { SecretScope } from '../secrets/secret-scope';
import { parseSecretEvent } from './parse-secret-event';

/** What became of one Secrets Manager event; `id` is `cloudtrail:<eventID>`. */
export type SecretIntakeResult =
  | { readonly status: 'queued'; readonly id: string; readonly secret: string; readonly change: SecretChange['change'] }
  | { readonly status: 'ignored'; readonly id: string; readonly reason: string };

export interface ReceiveSecretEventDeps {
  readonly queue: SecretChangeQueue;
  readonly scope: SecretScope;
}

/**
 * Parses one Secrets Manager event and queues the change it makes. There is
 * no ledger: the FIFO queue drops a resend of the same CloudTrail record
 * (its de-duplication id is the change id) and the sync itself is idempotent.
 */
export async function receiveSecretEvent(input: unknown, deps: ReceiveSecretEventDeps): Promise<SecretIntakeResult> {
  const { eventId, outcome } = parseSecretEvent(input, deps.scope);
  if (outcome.kind === 'ignored') return { status: 'ignored', id: eventId, reason: outcome.reason };
  await deps.queue.enqueue([outcome.change]);
  return { status: 'queued', id: eventId, secret: outcome.change.name, change: outcome.change.change };
}
