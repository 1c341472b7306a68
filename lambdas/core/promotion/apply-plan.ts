import type { PromotionConfig, RepositoryConfig } from '../config/promotion-config';
import type { GitProvider, PullRequestInfo, TargetStateStore, WarningLog } from '../ports';
import { commitLink } from './commit-link';
import type { PlannedChange, PromotionPlan } from './plan-promotions';
import { bumpLineOf, describeRows, type PromotionRow, rowsOf, updatedPullRequestText } from './pull-request-text';
import { type BranchView, branchKey, fileKey, type Workspace } from './read-workspace';

/** What one planned change became on its host. */
export interface AppliedChange {
  readonly change: PlannedChange;
  readonly commit: string;
  readonly commitUrl?: string;
  readonly pullRequest?: PullRequestInfo;
}

export interface ApplyDeps {
  readonly config: PromotionConfig;
  readonly providerFor: (repository: RepositoryConfig) => Promise<GitProvider>;
  readonly states: TargetStateStore;
  readonly log: WarningLog;
}

/**
 * Carries out a plan: per change, one commit onto the commit its files were
 * read from (so a branch that moved is a ConflictError, never a lost edit),
 * then the PR/MR when the change asks for one and none is open, or a new
 * title and description for the open one, so that it says everything its
 * branch now promotes. The state of each promoted target is saved as soon as
 * its commit lands, and `landed` receives each change at once, so a conflict
 * on a later change loses nothing that already landed.
 */
export async function applyPlan(plan: PromotionPlan, workspace: Workspace, deps: ApplyDeps, landed: (applied: AppliedChange) => void): Promise<void> {
  for (const change of plan.changes) {
    const repository = repositoryOf(deps.config, change.repository);
    const provider = await deps.providerFor(repository);
    const view = workspace.views.get(branchKey(change.repository, change.branch));
    if (view === undefined) throw new Error(`no view of ${change.repository}:${change.branch} was read`);
    const lookup = (repo: string, branch: string, path: string) => {
      const read = workspace.files.get(fileKey(repo, branch, path));
      return read?.kind === 'text' ? read.text : undefined;
    };
    const applied = await applyChange(change, view, provider, repository, bumpLineOf(deps.config, change, lookup));
    for (const warning of applied.pullRequest?.warnings ?? []) deps.log.warn('pull request with a warning', { url: applied.pullRequest?.url, warning });
    for (const promotion of change.promotions) {
      const state = plan.states.get(promotion.targetKey);
      if (state !== undefined) await deps.states.put(promotion.targetKey, state);
    }
    landed(applied);
  }
  // Holds are remembered too, so they survive redeliveries.
  for (const [key, state] of plan.states) {
    if (state.heldAbove !== undefined && !plan.changes.some((c) => c.promotions.some((p) => p.targetKey === key))) await deps.states.put(key, state);
  }
}

async function applyChange(
  change: PlannedChange,
  view: BranchView,
  provider: GitProvider,
  repository: RepositoryConfig,
  lineOf: (row: PromotionRow) => string,
): Promise<AppliedChange> {
  const commit = await provider.commit({
    branch: change.branch,
    parent: view.commit,
    files: change.files,
    message: change.commitMessage,
    update: view.update,
    startBranch: view.update === 'fast-forward' ? change.branch : change.baseBranch,
  });
  let pullRequest = view.pullRequest;
  if (change.mode === 'pull-request' && provider.supportsPullRequests) {
    pullRequest =
      pullRequest === undefined
        ? await provider.openPullRequest({
            branch: change.branch,
            base: change.baseBranch,
            title: change.title,
            body: pullRequestBody(change),
            labels: change.labels,
            autoMerge: change.autoMerge,
          })
        : await describeAgain(pullRequest, change, provider, lineOf);
  }
  const commitUrl = commit.url ?? commitLink(repository, commit.sha);
  return { change, commit: commit.sha, ...(commitUrl ? { commitUrl } : {}), ...(pullRequest ? { pullRequest } : {}) };
}

/** The PR/MR description: a table of what it promotes. */
export function pullRequestBody(change: PlannedChange): string {
  return describeRows(rowsOf(change.promotions));
}

/**
 * Sets the title and description of an open PR/MR to what its branch now
 * promotes (see updatedPullRequestText). The commit has landed already, so a
 * refusal is a warning on the PR, not a failure of the promotion; a PR whose
 * description was not read is left as it is.
 */
async function describeAgain(
  pullRequest: PullRequestInfo,
  change: PlannedChange,
  provider: GitProvider,
  lineOf: (row: PromotionRow) => string,
): Promise<PullRequestInfo> {
  if (pullRequest.body === undefined) return pullRequest;
  const text = updatedPullRequestText(pullRequest.body, change.branch, rowsOf(change.promotions), lineOf);
  if (text.title === pullRequest.title && text.body === pullRequest.body) return pullRequest;
  try {
    await provider.updatePullRequest({ number: pullRequest.number, ...text });
    return { ...pullRequest, ...text };
  } catch (error) {
    const warning = `title and description not updated: ${(error as Error).message}`;
    return { ...pullRequest, warnings: [...(pullRequest.warnings ?? []), warning] };
  }
}

export function repositoryOf(config: PromotionConfig, name: string): RepositoryConfig {
  const repository = config.repositories.find((r) => r.name === name);
  if (repository === undefined) throw new Error(`no repository '${name}' in the config`);
  return repository;
}
