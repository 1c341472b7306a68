import type { FailedTarget, NoOp, Promotion } from './plan-promotions';

/**
 * What Hoist tells people about a batch, as plain data. The core decides what
 * is said; a notifier (Slack) decides how it looks.
 */
export type PromotionNotice =
  /** Promotions that landed in one commit, or on one PR/MR branch. */
  | {
      readonly kind: 'promoted';
      readonly repository: string;
      readonly branch: string;
      readonly commit: string;
      /** The commit on the host's web UI, when known. */
      readonly commitUrl?: string;
      readonly pullRequest?: { readonly number: number; readonly url: string };
      readonly promotions: readonly Promotion[];
      /** Argo CD applications refreshed for it, and Argo CD's web URL to link them. */
      readonly argocd?: { readonly url: string; readonly applications: readonly string[] };
      /** What went wrong around it (a failed refresh, a refused auto-merge); the change itself landed. */
      readonly warnings: readonly string[];
      /** Targets a person's revert holds back in the same batch. */
      readonly held: readonly NoOp[];
    }
  /** A person merged one of Hoist's PR/MRs: the promotion is live on the base branch now. */
  | {
      readonly kind: 'merged';
      readonly repository: string;
      readonly number: number;
      readonly url: string;
      readonly title: string;
      readonly mergedBy: string;
      /** Where it promotes to: environment and service of each target on the merged branch. */
      readonly targets: ReadonlyArray<{ readonly environment: string; readonly service: string }>;
      readonly warnings: readonly string[];
    }
  /** Nothing landed, but a person's revert holds targets back. */
  | { readonly kind: 'held'; readonly held: readonly NoOp[] }
  /** Targets or a whole batch that need a person. `final`: Hoist will not retry it. */
  | {
      readonly kind: 'failed';
      readonly images: readonly string[];
      readonly reason: string;
      readonly attempts: number;
      readonly final: boolean;
      readonly targets: readonly FailedTarget[];
    }
  /** Secrets written to Vault (or deleted there) and the manifests that read them. Names and versions only. */
  | {
      readonly kind: 'secrets-synced';
      readonly secrets: readonly SyncedSecretLine[];
      /** The manifests' commit or PR/MR, when they changed. */
      readonly manifests?: {
        readonly repository: string;
        readonly branch: string;
        readonly commit: string;
        readonly commitUrl?: string;
        readonly pullRequest?: { readonly number: number; readonly url: string };
      };
      readonly warnings: readonly string[];
    }
  /** A chain's gate failed (`gate-failed`: the next environment is not promoted) or waits out a freeze window (`gate-frozen`). */
  | {
      readonly kind: 'gate-failed' | 'gate-frozen';
      readonly service: string;
      readonly environment: string;
      readonly after: string;
      readonly tag: string;
      readonly reason: string;
    }
  /** Secrets that could not be synced. `final`: Hoist will not retry them. */
  | { readonly kind: 'secrets-failed'; readonly secrets: readonly string[]; readonly reason: string; readonly final: boolean };

/** One secret in a sync notice. */
export interface SyncedSecretLine {
  readonly secret: string;
  readonly service: string;
  readonly environment: string;
  /** `<mount>/<path>` in Vault. */
  readonly vaultPath: string;
  /** What happened in Vault: a new version, a soft delete, or nothing (the manifest alone changed). */
  readonly vault: 'written' | 'deleted' | 'unchanged';
  readonly vaultVersion?: number;
  /** Why it ran: a Secrets Manager change, or the scheduled reconcile repairing drift. */
  readonly cause: 'change' | 'reconcile';
}
