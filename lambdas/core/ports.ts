import type { EventEnvelope, GitHost } from './events';
import type { GateCheck } from './promotion/gate-check';
import type { TargetState } from './promotion/plan-promotions';
import type { PromotionNotice } from './promotion/promotion-notice';
import type { SecretChange } from './secrets/secret-change';

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

/** When image tags were pushed, as Hoist saw them in events (orders tags that have no order of their own). */
export interface TagHistory {
  /** Known push times, keyed `image\0tag`. */
  pushTimes(tags: ReadonlyArray<{ readonly image: string; readonly tag: string }>): Promise<Map<string, string>>;
  record(entries: ReadonlyArray<{ readonly image: string; readonly tag: string; readonly pushedAt: string }>): Promise<void>;
}

/** A registry's own record of when a tag was pushed (ECR `imagePushedAt`). */
export interface RegistryPushTimes {
  /** Undefined when the registry has no such tag or is not one this adapter can ask. */
  pushedAt(image: string, tag: string): Promise<string | undefined>;
}

/** Where a build's commit lives: the repository a `from` source names, on its host. */
export interface CommitSource {
  readonly host: 'github' | 'gitlab' | 'gitea';
  /** `owner/name`, or `group/subgroup/name` on GitLab. */
  readonly repository: string;
  /** The host's API when it is not the public one. */
  readonly apiUrl?: string;
}

/**
 * How `head` relates to `base` in Git: `ahead` when head descends from base,
 * `behind` when base descends from head, `identical`, or `diverged` when
 * neither contains the other.
 */
export type CommitRelation = 'ahead' | 'behind' | 'identical' | 'diverged';

/** Asks a Git host how two commits of one repository relate (abbreviated SHAs allowed). */
export interface CommitHistory {
  /** Undefined when the host does not know one of the commits; throws when it cannot be asked. */
  compare(source: CommitSource, base: string, head: string): Promise<CommitRelation | undefined>;
}

/** What a registry says of one image tag. */
export interface ImageTagInfo {
  /** The manifest digest the tag points at (`sha256:…`). */
  readonly digest: string;
  /** When it was pushed, where the registry tells. */
  readonly pushedAt?: string;
}

/**
 * Asks the image's registry whether a tag exists (ECR `DescribeImages`, or
 * the OCI distribution API's `HEAD /v2/<name>/manifests/<ref>`).
 */
export interface ImageRegistry {
  /** Undefined when the registry answers that there is no such tag (yet); throws when it cannot be asked. */
  resolve(image: string, tag: string): Promise<ImageTagInfo | undefined>;
}

/** One tag of an image as the registry lists it. */
export interface ListedImage {
  readonly tag: string;
  readonly digest: string;
  /** ISO 8601 time of the push. */
  readonly pushedAt: string;
}

/**
 * Where the reconcile reads what a registry holds: one entry per tag of each
 * tagged image of `image` (`<registry>/<repository>`), in any order. A failure
 * throws; the reconcile reports it for that repository and goes on.
 */
export interface RegistryImageLister {
  listTagged(image: string): Promise<readonly ListedImage[]>;
}

/** How a `POST /promotions` request ended, for `GET /promotions/{id}`. */
export interface PromotionOutcome {
  readonly id: string;
  readonly status: 'queued' | 'promoted' | 'noop' | 'failed' | 'waiting';
  readonly updatedAt: string;
  /** Commits and PR/MRs it led to. */
  readonly changes: ReadonlyArray<{ readonly repository: string; readonly branch: string; readonly commit: string; readonly url?: string }>;
  /** Why targets changed nothing, or what failed. */
  readonly reasons: readonly string[];
}

/** Keeps promotion outcomes for the requester to poll. */
export interface PromotionOutcomeStore {
  put(outcome: PromotionOutcome): Promise<void>;
  get(id: string): Promise<PromotionOutcome | undefined>;
}

/** One audit record per applied change, no-op batch or failure. */
export interface AuditRecord {
  readonly id: string;
  readonly at: string;
  readonly outcome:
    | 'promoted'
    | 'noop'
    | 'failed'
    | 'merged'
    | 'refreshed'
    | 'secrets-synced'
    | 'secrets-failed'
    | 'gate-passed'
    | 'gate-failed'
    | 'approved'
    | 'rejected';
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly pullRequestUrl?: string;
  readonly promotions?: ReadonlyArray<Record<string, unknown>>;
  /** Secrets synced: names, Vault paths and versions, never a value. */
  readonly secrets?: ReadonlyArray<Record<string, unknown>>;
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
  /** How an application stands now; undefined when Argo CD has no such application. */
  applicationStatus(application: string): Promise<ApplicationStatus | undefined>;
}

/** An Argo CD application's sync and health, as its API reports them. */
export interface ApplicationStatus {
  /** `Synced`, `OutOfSync` or `Unknown`. */
  readonly sync: string;
  /** The Git revision it is synced to. */
  readonly revision?: string;
  /** `Healthy`, `Progressing`, `Degraded`, `Suspended`, `Missing` or `Unknown`. */
  readonly health: string;
}

/** Where a gate check waits: it comes back after the delay (SQS DelaySeconds, at most 15 minutes). */
export interface GateScheduler {
  schedule(check: GateCheck, delaySeconds: number): Promise<void>;
}

/** Tells people what happened (Slack renders it as Block Kit). */
export interface Notifier {
  notify(notice: PromotionNotice): Promise<void>;
}

/** A queued message that no retry can help: its body as queued, its ordering group and why. */
export interface DeadLetter {
  /** The envelope id, or the queue's message id when the body is not an envelope. */
  readonly id: string;
  readonly body: string;
  readonly group: string;
  readonly reason: string;
}

/** Where such messages go, with their reason, for a person to look at and redrive. */
export interface DeadLetterSink {
  deadLetter(entries: readonly DeadLetter[]): Promise<void>;
}

/** A pull or merge request, in the same shape whichever host has it. */
export interface PullRequestInfo {
  readonly number: number;
  readonly url: string;
  readonly branch: string;
  readonly base: string;
  /** Its title as the host has it now (a person may have edited it); absent when not read. */
  readonly title?: string;
  /** Its description as the host has it now; absent when not read. */
  readonly body?: string;
  /** What did not work out around the PR (auto-merge refused, description not updated …); the PR itself is open. */
  readonly warnings?: readonly string[];
}

/** How a commit moves its branch. */
export type BranchUpdate =
  /** The branch must still point at `parent` (fast-forward only). */
  | 'fast-forward'
  /** The branch must not exist yet. */
  | 'create'
  /** The branch exists but is stale (no open PR): it is moved to the new commit whatever it held. */
  | 'reset';

export interface CommitRequest {
  readonly branch: string;
  readonly parent: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string }>;
  readonly message: string;
  readonly update: BranchUpdate;
  /** The branch `parent` was read from, when the commit starts a new branch (Gitea names it). */
  readonly startBranch?: string;
}

export interface CommitResult {
  readonly sha: string;
  /** A link for people, where the host has one. */
  readonly url?: string;
}

export interface PullRequestRequest {
  readonly branch: string;
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  /** Ask the host to merge once checks pass; a refusal comes back as a warning, not an error. */
  readonly autoMerge?: boolean;
}

/** A new title and description for an open PR/MR, by its number (GitLab's `iid`). */
export interface PullRequestUpdate {
  readonly number: number;
  readonly title: string;
  readonly body: string;
}

/**
 * One GitOps repository on one Git host. Every implementation answers a moved
 * branch with a ConflictError, so the caller can re-read, re-plan and retry.
 */
export interface GitProvider {
  /** Whether the host has pull/merge requests (plain git has not). */
  readonly supportsPullRequests: boolean;
  /** The commit a branch points at, undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
  /** A file's text at a commit, undefined when the file does not exist there. */
  readFile(commit: string, path: string): Promise<string | undefined>;
  /** Commits `files` (full new contents) on top of `parent` and moves `branch` there. */
  commit(request: CommitRequest): Promise<CommitResult>;
  findOpenPullRequest(branch: string, base: string): Promise<PullRequestInfo | undefined>;
  openPullRequest(request: PullRequestRequest): Promise<PullRequestInfo>;
  /** Replaces the title and description of an open PR/MR (nothing to do where the host has none). */
  updatePullRequest(request: PullRequestUpdate): Promise<void>;
  /** Where a PR/MR stands now (by number, GitLab's `iid`); undefined when the host has no such PR/MR. */
  pullRequestStatus(number: number): Promise<PullRequestStatus | undefined>;
  /**
   * Merges an open PR/MR. Refuses (TerminalError, with the reason) when its
   * checks fail or the host will not merge it; a ConflictError when its head
   * moved from `expectedHead`. Returns the merge commit.
   */
  mergePullRequest(request: MergeRequest): Promise<{ readonly sha: string }>;
  /** Closes an open PR/MR without merging it, after leaving `comment` on it. */
  closePullRequest(number: number, comment: string): Promise<void>;
}

/** A PR/MR as it stands on its host. */
export interface PullRequestStatus {
  readonly number: number;
  readonly url: string;
  readonly state: 'open' | 'merged' | 'closed';
  /** The head commit of its branch. */
  readonly head: string;
  readonly branch: string;
  readonly base: string;
  /** Its checks (GitHub check runs and statuses, GitLab's head pipeline, Gitea's combined status); `none` when it has none. */
  readonly checks: 'passing' | 'pending' | 'failing' | 'none';
  /** Set once merged. */
  readonly mergeCommit?: string;
}

export interface MergeRequest {
  readonly number: number;
  /** The head Hoist approved: a push after the approval must not be merged with it. */
  readonly expectedHead: string;
  /** The merge commit's message. */
  readonly message: string;
}

/** A secret as Secrets Manager holds it now. Its value stays in memory: never logged, queued or written anywhere but Vault. */
export interface SourceSecret {
  readonly arn: string;
  readonly name: string;
  /** The version id of `AWSCURRENT`. */
  readonly versionId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** `SecretString` as stored (JSON or plain text); undefined for a binary secret. */
  readonly text: string | undefined;
}

/** A secret that is gone, or scheduled for deletion; what is still known of it. */
export interface DeletedSecret {
  readonly deleted: true;
  readonly arn?: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** A secret's name, ARN and tags, as listing shows them (no value). */
export interface ListedSecret {
  readonly arn: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Set when the secret is scheduled for deletion. */
  readonly deletedAt?: string;
}

/** Where secret values come from: AWS Secrets Manager, or locally a file. */
export interface SecretSource {
  /**
   * The current value of a secret (by ARN or name). `deleted` when the secret
   * is gone or scheduled for deletion; throws when it cannot be asked.
   */
  read(secretId: string): Promise<SourceSecret | DeletedSecret>;
  /** Every secret whose name starts with one of `prefixes`, those scheduled for deletion included. */
  list(prefixes: readonly string[]): Promise<readonly ListedSecret[]>;
}

/** The latest version of a KV v2 secret. */
export interface VaultSecretVersion {
  /** `current_version`: what a check-and-set write must name. */
  readonly version: number;
  /** The key/value data; undefined when the latest version is deleted or destroyed. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
}

/** Vault's KV v2 secrets engine (`/v1/<mount>/data/<path>`). */
export interface VaultKv {
  /** Undefined when nothing was ever written at `path`. Throws when Vault cannot be asked (403, 5xx, unreachable). */
  read(mount: string, path: string): Promise<VaultSecretVersion | undefined>;
  /**
   * Writes a new version only if the current version is `cas` (0: only if the
   * path has none). A mismatch throws VaultCasError. Returns the new version.
   */
  write(mount: string, path: string, data: Readonly<Record<string, unknown>>, cas: number): Promise<number>;
  /**
   * Soft-deletes one version (it can be undeleted in Vault). Named, not "the
   * latest": a version someone writes meanwhile stays.
   */
  deleteVersion(mount: string, path: string, version: number): Promise<void>;
}

/** What Hoist last wrote to a Vault path, so a later write can tell a person's change from its own. */
export interface SecretSyncState {
  /** The KV v2 version Hoist wrote or found equal to Secrets Manager. */
  readonly vaultVersion: number;
  readonly secretArn: string;
  /** The Secrets Manager version id it came from. */
  readonly sourceVersionId: string;
  readonly syncedAt: string;
}

/** Per Vault path (`<mount>/<path>`) memory of the secrets sync. */
export interface SecretSyncStateStore {
  get(vaultKeys: readonly string[]): Promise<Map<string, SecretSyncState>>;
  put(vaultKey: string, state: SecretSyncState): Promise<void>;
}

/** Where secret changes are queued, one FIFO group per secret (`secretGroupOf`). */
export interface SecretChangeQueue {
  enqueue(changes: readonly SecretChange[]): Promise<void>;
}

/** A PR/MR that waits for a person's decision in Slack. */
export interface ApprovalRequest {
  readonly repository: string;
  readonly number: number;
  readonly url: string;
  /** The head the buttons approve: a later push needs a new message. */
  readonly head: string;
  readonly promotions: ReadonlyArray<{ readonly service: string; readonly environment: string; readonly fromTag?: string; readonly toTag: string }>;
}

/** What became of a decision, for the approval message. */
export type ApprovalOutcome =
  | { readonly kind: 'merged'; readonly by: string; readonly at: string; readonly commit: string }
  | { readonly kind: 'closed'; readonly by: string; readonly at: string }
  | { readonly kind: 'refused'; readonly by: string; readonly at: string; readonly reason: string };

/** The approval messages in Slack: posted with Approve and Reject buttons, updated with the outcome. */
export interface ApprovalMessages {
  post(request: ApprovalRequest): Promise<{ readonly channel: string; readonly ts: string }>;
  update(
    message: { readonly channel: string; readonly ts: string },
    request: Pick<ApprovalRequest, 'repository' | 'number'>,
    outcome: ApprovalOutcome,
  ): Promise<void>;
}
