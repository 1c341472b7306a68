/** A pull or merge request, in the same shape whichever host has it. */
export interface PullRequestInfo {
  readonly number: number;
  readonly url: string;
  readonly branch: string;
  readonly base: string;
  /** What did not work out around the PR (auto-merge refused …); the PR itself is open. */
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
}
