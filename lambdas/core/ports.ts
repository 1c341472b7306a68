import type { EventEnvelope, GitHost } from './events';

/**
 * The narrow interfaces the core talks to. Each has an AWS implementation in
 * `lambdas/clients/aws` and a local one in `lambdas/clients/local`.
 */

/** Webhook secrets of one Git host, and optionally of single repositories. */
export interface WebhookSecretStore {
  /**
   * The secrets that may have signed a delivery from `repository` on `host`
   * (several while a secret is being rotated). `undefined` means the host is
   * not configured at all; an empty list means nothing accepts that repository.
   */
  secretsFor(host: GitHost, repository: string | undefined): Promise<readonly string[] | undefined>;
}

export type ClaimResult = 'claimed' | 'duplicate' | 'in-progress';

/** Remembers delivery ids so a redelivered webhook is queued only once. */
export interface DeliveryLedger {
  /**
   * Claims `key` for processing. `duplicate`: it was processed before;
   * `in-progress`: another request holds a live claim on it.
   */
  claim(key: string, now: Date): Promise<ClaimResult>;
  /** Marks a claimed key as done, so later deliveries of it are duplicates. */
  complete(key: string, now: Date): Promise<void>;
  /** Gives a claim back after a failure, so the host's redelivery is accepted. */
  release(key: string): Promise<void>;
}

/** Where verified events go; FIFO per ordering key. */
export interface EventQueue {
  enqueue(envelopes: readonly EventEnvelope[]): Promise<void>;
}

/** The log lines the core emits itself; Powertools' Logger satisfies it. */
export interface WarningLog {
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** What consumes a queued envelope; a thrown error means "retry it". */
export type EnvelopeConsumer = (envelope: EventEnvelope) => Promise<void>;
