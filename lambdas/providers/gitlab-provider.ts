import { Gitlab } from '@gitbeaker/rest';
import type {
  CommitRequest,
  CommitResult,
  GitProvider,
  MergeRequest,
  PullRequestInfo,
  PullRequestRequest,
  PullRequestStatus,
  PullRequestUpdate,
} from '../core/ports';
import { ConflictError, HoistError, TerminalError, UnavailableError } from '../shared/errors';
import { assertMergeable } from './assert-mergeable';
import type { ChecksState } from './combine-checks';
import { findEarlierMerge } from './find-earlier-merge';
import { hostError } from './host-error';
import { redactSecrets } from './redact-secrets';
import { safeRepositoryPath } from './safe-repository-path';

export interface GitLabProviderOptions {
  /** `https://gitlab.example.com/group/sub/project(.git)` or the SSH form. */
  readonly url: string;
  readonly token: string;
  /** The GitLab instance for self-managed hosts when the URL's host is not it. @default from the URL */
  readonly apiUrl?: string;
}

/** GitLab's messages that mean "someone else got there first" (HTTP 400/409). */
const FILE_CHANGED = /has changed since you started editing/i;
const BRANCH_EXISTS = /already exists/i;
const MR_EXISTS = /another open merge request already exists/i;
/** GitLab's 404 messages (`not_found!('Branch')`, `not_found!('File')`, `not_found!('Commit')`). */
const NO_SUCH_BRANCH = /^404 Branch Not Found$/i;
const NO_SUCH_FILE = /^404 File Not Found$/i;
const NO_SUCH_COMMIT = /^404 Commit Not Found$/i;
/** GitLab's 404 for an MR the project does not have (`find_project_merge_request` raising RecordNotFound); a missing project says "Project Not Found". */
const NO_SUCH_MERGE_REQUEST = /^404 Not found$/i;
/**
 * What the head pipeline's `status` means for a merge. A `manual` pipeline
 * waits for a person to start a job, so it is pending; a `skipped` one ran
 * nothing. A status GitLab adds later counts as pending: a person looks
 * before anything is merged on it.
 */
const PIPELINE_CHECKS: Readonly<Record<string, ChecksState>> = {
  success: 'passing',
  failed: 'failing',
  canceled: 'failing',
  canceling: 'failing',
  created: 'pending',
  waiting_for_resource: 'pending',
  waiting_for_callback: 'pending',
  preparing: 'pending',
  pending: 'pending',
  running: 'pending',
  scheduled: 'pending',
  manual: 'pending',
  skipped: 'none',
};
/** gitbeaker's own retries of 429 and 502 gave up. */
const RETRIES_EXHAUSTED = /last status code: (\d+)/;

/** Host and project path of a GitLab clone URL. */
export function gitLabProjectOf(url: string): { host: string; project: string } {
  const https = /^https?:\/\/([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(url);
  if (https?.[1] && https[2]) return { host: `https://${https[1]}`, project: https[2] };
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(?:\.git)?$/.exec(url);
  if (ssh?.[1] && ssh[2]) return { host: `https://${ssh[1]}`, project: ssh[2] };
  throw new TerminalError(`'${redactSecrets(url)}' is not a GitLab project URL`);
}

interface GitbeakerFailure {
  readonly cause?: { readonly description?: string; readonly response?: { readonly status?: number } };
}
const statusOf = (error: unknown): number | undefined => {
  const status = (error as GitbeakerFailure).cause?.response?.status;
  if (status !== undefined) return status;
  const exhausted = RETRIES_EXHAUSTED.exec(String((error as Error).message));
  return exhausted ? Number(exhausted[1]) : undefined;
};
const describe = (error: unknown): string => String((error as GitbeakerFailure).cause?.description ?? (error as Error).message);

/** The fields of GitLab's merge request (`GET merge_requests/:iid`) that Hoist reads. */
interface GitLabMergeRequest {
  readonly status: PullRequestStatus;
  readonly hasConflicts: boolean;
}

/** A GitLab MR as gitbeaker answers it (snake_case JSON) in the shape every provider answers. */
function convertGitLabMergeRequest(mr: Record<string, unknown>): GitLabMergeRequest {
  const pipeline = mr.head_pipeline as { status?: unknown } | null | undefined;
  const checks = pipeline?.status === undefined ? 'none' : (PIPELINE_CHECKS[String(pipeline.status)] ?? 'pending');
  // `locked` is GitLab's state while a merge is under way: not merged yet, and not closed.
  const state = mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open';
  // A project that merges by fast-forward has no merge commit: its target branch then points at the head.
  const mergeCommit = typeof mr.merge_commit_sha === 'string' ? mr.merge_commit_sha : state === 'merged' ? String(mr.sha) : undefined;
  return {
    status: {
      number: Number(mr.iid),
      url: String(mr.web_url),
      state,
      head: String(mr.sha),
      branch: String(mr.source_branch),
      base: String(mr.target_branch),
      checks,
      ...(state === 'merged' && mergeCommit !== undefined ? { mergeCommit } : {}),
    },
    hasConflicts: mr.has_conflicts === true,
  };
}

/**
 * GitLab through @gitbeaker/rest. Several files become one commit with one
 * action each (`Commits.create`); every update action carries
 * `last_commit_id` = the commit the file was read from, so GitLab refuses the
 * commit when that file changed meanwhile, which is a ConflictError here. An
 * open MR of the branch is reused.
 */
export class GitLabProvider implements GitProvider {
  readonly supportsPullRequests = true;
  private readonly api: InstanceType<typeof Gitlab>;
  private readonly project: string;
  private readonly token: string;

  constructor(options: GitLabProviderOptions) {
    const { host, project } = gitLabProjectOf(options.url);
    this.project = project;
    this.token = options.token;
    this.api = new Gitlab({ host: options.apiUrl ?? host, token: options.token });
  }

  /** GitLab answers 404 "Branch Not Found" for a missing branch, "Project Not Found" for a missing project (a TerminalError). */
  async branchHead(branch: string): Promise<string | undefined> {
    try {
      const found = await this.api.Branches.show(this.project, branch);
      return found.commit.id as string;
    } catch (error) {
      if (statusOf(error) === 404 && NO_SUCH_BRANCH.test(describe(error))) return undefined;
      throw this.failure(error, `reading the branch ${branch}`);
    }
  }

  /**
   * Raw file at a commit. GitLab answers 404 "File Not Found" for a path the
   * commit does not have (undefined) and 404 "Commit Not Found" for an
   * unknown commit (a ConflictError: re-read the branch).
   */
  async readFile(commit: string, path: string): Promise<string | undefined> {
    const file = safeRepositoryPath(path);
    let raw: unknown;
    try {
      raw = await this.api.RepositoryFiles.showRaw(this.project, file, commit);
    } catch (error) {
      if (statusOf(error) === 404 && NO_SUCH_FILE.test(describe(error))) return undefined;
      if (statusOf(error) === 404 && NO_SUCH_COMMIT.test(describe(error))) {
        throw new ConflictError(`GitLab does not know commit ${commit}; re-read the branch`, { cause: error });
      }
      throw this.failure(error, `reading ${file} at ${commit}`);
    }
    if (typeof raw === 'string') return raw;
    if (raw instanceof Blob) return await raw.text();
    throw new TerminalError(`GitLab answered ${file} at ${commit} with something that is not a file`);
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
    for (const file of request.files) safeRepositoryPath(file.path);
    try {
      return await this.commitOnce(request);
    } catch (error) {
      throw this.failure(error, `committing on ${request.branch}`);
    }
  }

  private async commitOnce(request: CommitRequest): Promise<CommitResult> {
    const actions = await Promise.all(
      request.files.map(async (file) => {
        const exists = (await this.readFile(request.parent, file.path)) !== undefined;
        return exists
          ? { action: 'update' as const, filePath: file.path, content: file.content, lastCommitId: request.parent }
          : { action: 'create' as const, filePath: file.path, content: file.content };
      }),
    );
    try {
      const created = await this.api.Commits.create(this.project, request.branch, request.message, actions, {
        ...(request.update === 'fast-forward' ? {} : { startSha: request.parent }),
        ...(request.update === 'reset' ? { force: true } : {}),
      });
      return { sha: created.id as string, ...(typeof created.web_url === 'string' ? { url: created.web_url } : {}) };
    } catch (error) {
      const status = statusOf(error);
      if ((status === 400 || status === 409) && (FILE_CHANGED.test(describe(error)) || BRANCH_EXISTS.test(describe(error)))) {
        throw new ConflictError(`${request.branch} moved while committing`, { cause: error });
      }
      throw error;
    }
  }

  async findOpenPullRequest(branch: string, base: string): Promise<PullRequestInfo | undefined> {
    try {
      const found = await this.api.MergeRequests.all({ projectId: this.project, sourceBranch: branch, targetBranch: base, state: 'opened' });
      const [mr] = found;
      if (mr === undefined) return undefined;
      // GitLab answers an empty description as `null`.
      return {
        number: mr.iid as number,
        url: mr.web_url as string,
        branch,
        base,
        title: String(mr.title),
        body: typeof mr.description === 'string' ? mr.description : '',
      };
    } catch (error) {
      throw this.failure(error, `looking for the open merge request of ${branch}`);
    }
  }

  async openPullRequest(request: PullRequestRequest): Promise<PullRequestInfo> {
    try {
      return await this.openPullRequestOnce(request);
    } catch (error) {
      throw this.failure(error, `opening a merge request for ${request.branch}`);
    }
  }

  async updatePullRequest(request: PullRequestUpdate): Promise<void> {
    try {
      await this.api.MergeRequests.edit(this.project, request.number, { title: request.title, description: request.body });
    } catch (error) {
      throw this.failure(error, `updating merge request !${request.number}`);
    }
  }

  /** Where an MR stands; its checks are its head pipeline's status. */
  async pullRequestStatus(number: number): Promise<PullRequestStatus | undefined> {
    return (await this.readMergeRequest(number))?.status;
  }

  /**
   * Merges with a merge commit (`squash: false`) and `sha` set to the
   * approved head, so GitLab answers 409 "SHA does not match HEAD of source
   * branch" (a ConflictError) when someone pushed in between; 405 (not
   * mergeable now) and 422 "Branch cannot be merged" are TerminalErrors.
   */
  async mergePullRequest(request: MergeRequest): Promise<{ readonly sha: string }> {
    const name = `merge request !${request.number}`;
    const found = await this.readMergeRequest(request.number);
    if (found === undefined) throw new TerminalError(`GitLab has no ${name} in ${this.project}`);
    const earlier = findEarlierMerge(found.status, request);
    if (earlier !== undefined) return earlier;
    assertMergeable(found.status, request, name);
    if (found.hasConflicts) throw new TerminalError(`${name} conflicts with ${found.status.base}: GitLab cannot merge it`);
    let merged: GitLabMergeRequest;
    try {
      const answer = await this.api.MergeRequests.merge(this.project, request.number, {
        sha: request.expectedHead,
        mergeCommitMessage: request.message,
        squash: false,
      });
      merged = convertGitLabMergeRequest(answer as unknown as Record<string, unknown>);
    } catch (error) {
      throw this.failure(error, `merging ${name}`);
    }
    // GitLab answers with the MR as it stands; one that is not merged yet is asked about again.
    if (merged.status.mergeCommit === undefined) throw new UnavailableError(`GitLab accepted ${name} but has not merged it yet`);
    return { sha: merged.status.mergeCommit };
  }

  /** Leaves a note, then closes (`state_event: close`); a closed MR is left as it is, a merged one refused. */
  async closePullRequest(number: number, comment: string): Promise<void> {
    const name = `merge request !${number}`;
    const found = await this.readMergeRequest(number);
    if (found === undefined) throw new TerminalError(`GitLab has no ${name} in ${this.project}`);
    if (found.status.state === 'merged') throw new TerminalError(`${name} is merged already: it cannot be closed`);
    if (found.status.state === 'closed') return;
    try {
      await this.api.MergeRequestNotes.create(this.project, number, comment);
      await this.api.MergeRequests.edit(this.project, number, { stateEvent: 'close' });
    } catch (error) {
      throw this.failure(error, `closing ${name}`);
    }
  }

  private async readMergeRequest(number: number): Promise<GitLabMergeRequest | undefined> {
    try {
      const mr = await this.api.MergeRequests.show(this.project, number);
      return convertGitLabMergeRequest(mr as unknown as Record<string, unknown>);
    } catch (error) {
      if (statusOf(error) === 404 && NO_SUCH_MERGE_REQUEST.test(describe(error))) return undefined;
      throw this.failure(error, `reading merge request !${number}`);
    }
  }

  /** The error a gitbeaker failure means for Hoist (see hostError); a failed fetch has no status and is retried. */
  private failure(error: unknown, action: string): HoistError {
    if (error instanceof HoistError) return error;
    return hostError({ host: 'GitLab', action, status: statusOf(error), detail: describe(error), secrets: [this.token] }, error);
  }

  private async openPullRequestOnce(request: PullRequestRequest): Promise<PullRequestInfo> {
    try {
      const mr = await this.api.MergeRequests.create(this.project, request.branch, request.base, request.title, {
        description: request.body,
        ...(request.labels.length > 0 ? { labels: request.labels.join(',') } : {}),
        removeSourceBranch: true,
      });
      const info: PullRequestInfo = { number: mr.iid as number, url: mr.web_url as string, branch: request.branch, base: request.base };
      if (request.autoMerge !== true) return info;
      try {
        // `auto_merge` since GitLab 17.11, `merge_when_pipeline_succeeds` before; GitLab ignores the one it does not know.
        await this.api.MergeRequests.accept(this.project, info.number, { autoMerge: true, mergeWhenPipelineSucceeds: true });
        return info;
      } catch (error) {
        // GitLab answers 405 until the MR's pipeline exists: the MR stays open for a person.
        return { ...info, warnings: [`auto-merge not enabled: ${describe(error)}`] };
      }
    } catch (error) {
      if (statusOf(error) === 409 && MR_EXISTS.test(describe(error))) {
        const existing = await this.findOpenPullRequest(request.branch, request.base);
        if (existing !== undefined) return existing;
      }
      throw error;
    }
  }
}
