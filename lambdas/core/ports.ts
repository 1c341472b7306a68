import type { EventEnvelope, GitHost } from './events';
import type { TargetState } from './promotion/plan-promotions';
import type { WebhookSecretCandidates } from './webhook-secrets';

/**
 * The narrow interfaces the core talks to. Each has an AWS implementation in
 * `lambdas/clients/aws` and a local one in `lambdas/clients/local`.
 */

/** Webhook secrets of one Git host, and optionally of single repositories. */
export interface WebhookSecretStore {
  /**
   * The secrets that may have signed a delivery from `repository` on `host`
   * (several while a secret is being rotated), with the scope they stand for.
   * `undefined` means the host is not configured at all; an empty list means
   * nothing accepts that repository.
   */
  secretsFor(host: GitHost, repository: string | undefined): Promise<WebhookSecretCandidates | undefined>;
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

/** Per-target memory between runs (what Hoist last wrote, revert holds). */
export interface TargetStateStore {
  get(keys: readonly string[]): Promise<Map<string, TargetState>>;
  put(key: string, state: TargetState): Promise<void>;
}

/** One audit record per applied change or no-op. */
export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly outcome: 'promoted' | 'noop' | 'failed';
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly pullRequestUrl?: string;
  readonly promotions?: ReadonlyArray<Record<string, unknown>>;
  readonly reasons?: readonly string[];
  readonly events: readonly string[];
  readonly durationMs: number;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
}

/** Asks Argo CD to look at Git now instead of at its next poll. */
export interface ArgoCdRefresher {
  /** Refreshes (and optionally syncs) an application; throws when Argo CD refuses. */
  refresh(application: string): Promise<void>;
  /** Applications whose source is this repository and path (used when config names none). */
  findApplications(repositoryUrl: string, path: string): Promise<string[]>;
}

/** A message for people (Slack). */
export interface Notifier {
  notify(message: { readonly text: string; readonly blocks: readonly unknown[] }): Promise<void>;
}
