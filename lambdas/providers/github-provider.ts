import { Octokit as OctokitCore } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
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
import { ConflictError, HoistError, TerminalError } from '../shared/errors';
import { assertMergeable } from './assert-mergeable';
import { type ChecksState, combineChecks } from './combine-checks';
import { findEarlierMerge } from './find-earlier-merge';
import { hostError } from './host-error';
import { redactSecrets } from './redact-secrets';
import { safeRepositoryPath } from './safe-repository-path';

export interface GitHubProviderOptions {
  /** `https://github.com/owner/repo(.git)` or `git@github.com:owner/repo.git`. */
  readonly url: string;
  readonly token: string;
  /** API base for GitHub Enterprise Server. @default https://api.github.com */
  readonly apiUrl?: string;
  /** Retries of 5xx answers inside Octokit. @default 3 */
  readonly requestRetries?: number;
  /**
   * Octokit's throttling, which spaces content-creating requests about a
   * second apart as GitHub asks of integrations. @default true
   */
  readonly throttle?: boolean;
}

/**
 * Octokit's core with its retry and throttling plugins. Requests go through
 * `octokit.request('VERB /route')`; the generated method for every endpoint
 * (plugin-rest-endpoint-methods) would add some 80 KB to the bundle for the
 * nine endpoints used here.
 */
const Octokit = OctokitCore.plugin(retry, throttling);

/** GitHub's 422 messages that mean "someone else got there first". */
const NOT_FAST_FORWARD = /not a fast forward/i;
const REF_EXISTS = /reference already exists/i;
const PR_EXISTS = /pull request already exists/i;
/** GitHub's 404 message for a contents `ref` it does not know (a missing path is a plain "Not Found"). */
const NO_SUCH_COMMIT = /no commit found for the ref/i;
/** GitHub's 404 message for a missing path, ref or repository. */
const NOT_FOUND = /^not found$/i;

/**
 * Check-run conclusions that block a merge. `success`, `neutral` and
 * `skipped` do not, as on GitHub's own merge box.
 */
const FAILED_CONCLUSIONS = new Set(['failure', 'cancelled', 'timed_out', 'action_required', 'startup_failure', 'stale']);
/** Check runs read per head: GitHub's largest page. More than that on one commit is not expected of a GitOps repository. */
const CHECK_RUNS_PAGE = 100;

/** The fields of GitHub's pull request that Hoist reads. */
interface GitHubPull {
  readonly number: number;
  readonly html_url: string;
  readonly state: string;
  readonly merged: boolean;
  readonly merge_commit_sha: string | null;
  /** `null` while GitHub is still computing it, `false` when the PR conflicts with its base. */
  readonly mergeable: boolean | null;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
}

/** A GitHub pull request and its checks in the shape every provider answers. */
function convertGitHubPull(pr: GitHubPull, checks: ChecksState): PullRequestStatus {
  const state = pr.merged ? 'merged' : pr.state === 'open' ? 'open' : 'closed';
  return {
    number: pr.number,
    url: pr.html_url,
    state,
    head: pr.head.sha,
    branch: pr.head.ref,
    base: pr.base.ref,
    checks,
    // On an open PR `merge_commit_sha` is GitHub's test merge, not a merge.
    ...(pr.merged && pr.merge_commit_sha ? { mergeCommit: pr.merge_commit_sha } : {}),
  };
}

/** `owner/repo` of a GitHub clone URL. */
export function gitHubRepoOf(url: string): { owner: string; repo: string } {
  const match = /github[^/:]*[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url) ?? /^https?:\/\/[^/]+\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (match === null || match[1] === undefined || match[2] === undefined) throw new TerminalError(`'${redactSecrets(url)}' is not a GitHub repository URL`);
  return { owner: match[1], repo: match[2] };
}

const statusOf = (error: unknown): number | undefined => (error as { status?: number }).status;
const messageOf = (error: unknown): string =>
  String((error as { response?: { data?: { message?: string } } }).response?.data?.message ?? (error as Error).message);

/**
 * GitHub through Octokit (core, retry, throttling). Several files become one commit through the Git
 * Data API (tree → commit → ref), and the ref moves only fast-forward, so a
 * branch that moved is GitHub's 422 "Update is not a fast forward", which is
 * a ConflictError here. An open PR for the branch is reused, never duplicated.
 */
export class GitHubProvider implements GitProvider {
  readonly supportsPullRequests = true;
  private readonly octokit: InstanceType<typeof Octokit>;
  private readonly owner: string;
  private readonly repo: string;
  private readonly token: string;

  constructor(options: GitHubProviderOptions) {
    this.token = options.token;
    ({ owner: this.owner, repo: this.repo } = gitHubRepoOf(options.url));
    this.octokit = new Octokit({
      auth: options.token,
      ...(options.apiUrl ? { baseUrl: options.apiUrl } : {}),
      request: { retries: options.requestRetries ?? 3 },
      throttle: {
        enabled: options.throttle !== false,
        // Wait out primary and secondary rate limits once, then let the error surface.
        onRateLimit: (_after: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 1,
        onSecondaryRateLimit: (_after: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 1,
      },
    });
  }

  async branchHead(branch: string): Promise<string | undefined> {
    return this.readOrMissing(`reading the branch ${branch}`, async () => {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
      return data.object.sha;
    });
  }

  /**
   * Raw contents at a commit. GitHub answers 404 "No commit found for the ref"
   * for an unknown commit (a ConflictError: re-read the branch) and a plain
   * 404 "Not Found" for a path the commit does not have (undefined).
   */
  async readFile(commit: string, path: string): Promise<string | undefined> {
    const file = safeRepositoryPath(path);
    let data: unknown;
    try {
      ({ data } = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: this.owner,
        repo: this.repo,
        path: file,
        ref: commit,
        mediaType: { format: 'raw' },
      }));
    } catch (error) {
      const message = messageOf(error);
      if (statusOf(error) === 404 && NO_SUCH_COMMIT.test(message))
        throw new ConflictError(`GitHub does not know commit ${commit}; re-read the branch`, { cause: error });
      if (statusOf(error) === 404 && NOT_FOUND.test(message)) return undefined;
      throw this.failure(error, `reading ${file} at ${commit}`);
    }
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    // A folder comes back as a JSON listing even in raw format.
    throw new TerminalError(`${file} at ${commit} is not a file`);
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
    const base = { owner: this.owner, repo: this.repo };
    const parent = await this.octokit.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { ...base, commit_sha: request.parent });
    const tree = await this.octokit.request('POST /repos/{owner}/{repo}/git/trees', {
      ...base,
      base_tree: parent.data.tree.sha,
      tree: request.files.map((file) => ({ path: file.path, mode: '100644' as const, type: 'blob' as const, content: file.content })),
    });
    const commit = await this.octokit.request('POST /repos/{owner}/{repo}/git/commits', {
      ...base,
      message: request.message,
      tree: tree.data.sha,
      parents: [request.parent],
    });
    const sha = commit.data.sha;
    try {
      if (request.update === 'create') {
        await this.octokit.request('POST /repos/{owner}/{repo}/git/refs', { ...base, ref: `refs/heads/${request.branch}`, sha });
      } else {
        await this.octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
          ...base,
          ref: `heads/${request.branch}`,
          sha,
          force: request.update === 'reset',
        });
      }
    } catch (error) {
      if (statusOf(error) === 422 && (NOT_FAST_FORWARD.test(messageOf(error)) || REF_EXISTS.test(messageOf(error)))) {
        throw new ConflictError(`${request.branch} moved while committing`, { cause: error });
      }
      throw error;
    }
    return { sha, url: commit.data.html_url };
  }

  async findOpenPullRequest(branch: string, base: string): Promise<PullRequestInfo | undefined> {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/pulls', {
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${branch}`,
        base,
        state: 'open',
      });
      const [pr] = data;
      // GitHub answers an empty description as `null`.
      return pr === undefined ? undefined : { number: pr.number, url: pr.html_url, branch, base, title: pr.title, body: pr.body ?? '' };
    } catch (error) {
      throw this.failure(error, `looking for the open pull request of ${branch}`);
    }
  }

  async openPullRequest(request: PullRequestRequest): Promise<PullRequestInfo> {
    try {
      return await this.openPullRequestOnce(request);
    } catch (error) {
      throw this.failure(error, `opening a pull request for ${request.branch}`);
    }
  }

  async updatePullRequest(request: PullRequestUpdate): Promise<void> {
    try {
      await this.octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner: this.owner,
        repo: this.repo,
        pull_number: request.number,
        title: request.title,
        body: request.body,
      });
    } catch (error) {
      throw this.failure(error, `updating pull request #${request.number}`);
    }
  }

  async pullRequestStatus(number: number): Promise<PullRequestStatus | undefined> {
    const pr = await this.readPull(number);
    return pr === undefined ? undefined : convertGitHubPull(pr, await this.checksOf(pr.head.sha, `reading the checks of pull request #${number}`));
  }

  /**
   * Merges with a merge commit (`merge_method: merge`) and `sha` set to the
   * approved head, so GitHub answers 409 "Head branch was modified" (a
   * ConflictError) when someone pushed in between; 405 "Pull Request is not
   * mergeable" is a TerminalError.
   */
  async mergePullRequest(request: MergeRequest): Promise<{ readonly sha: string }> {
    const name = `pull request #${request.number}`;
    const pr = await this.readPull(request.number);
    if (pr === undefined) throw new TerminalError(`GitHub has no ${name} in ${this.owner}/${this.repo}`);
    const status = convertGitHubPull(pr, await this.checksOf(pr.head.sha, `reading the checks of ${name}`));
    const earlier = findEarlierMerge(status, request);
    if (earlier !== undefined) return earlier;
    assertMergeable(status, request, name);
    if (pr.mergeable === false) throw new TerminalError(`${name} conflicts with ${status.base}: GitHub cannot merge it`);
    const [title = '', ...rest] = request.message.split('\n');
    const body = rest.join('\n').trim();
    try {
      const { data } = await this.octokit.request('PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge', {
        owner: this.owner,
        repo: this.repo,
        pull_number: request.number,
        merge_method: 'merge',
        sha: request.expectedHead,
        commit_title: title,
        ...(body === '' ? {} : { commit_message: body }),
      });
      return { sha: data.sha };
    } catch (error) {
      throw this.failure(error, `merging ${name}`);
    }
  }

  /** Comments, then closes (`PATCH pulls/{n}` with `state: closed`); a closed PR is left as it is, a merged one refused. */
  async closePullRequest(number: number, comment: string): Promise<void> {
    const name = `pull request #${number}`;
    const pr = await this.readPull(number);
    if (pr === undefined) throw new TerminalError(`GitHub has no ${name} in ${this.owner}/${this.repo}`);
    if (pr.merged) throw new TerminalError(`${name} is merged already: it cannot be closed`);
    if (pr.state !== 'open') return;
    const base = { owner: this.owner, repo: this.repo };
    try {
      await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...base, issue_number: number, body: comment });
      await this.octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...base, pull_number: number, state: 'closed' });
    } catch (error) {
      throw this.failure(error, `closing ${name}`);
    }
  }

  /** A pull request, undefined on GitHub's 404 when the repository itself is there (GitHub answers a hidden repository alike). */
  private async readPull(number: number): Promise<GitHubPull | undefined> {
    return this.readOrMissing(`reading pull request #${number}`, async () => {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: this.owner, repo: this.repo, pull_number: number });
      return data;
    });
  }

  /**
   * What `read` answers, or undefined on its 404 when the repository is there:
   * GitHub answers a missing object and a missing (or hidden) repository
   * alike, so a 404 asks for the repository, whose own failure is the error.
   */
  private async readOrMissing<T>(action: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (statusOf(error) !== 404) throw this.failure(error, action);
    }
    try {
      await this.octokit.request('GET /repos/{owner}/{repo}', { owner: this.owner, repo: this.repo });
    } catch (error) {
      throw this.failure(error, `${action} (repository ${this.owner}/${this.repo})`);
    }
    return undefined;
  }

  /** The commit statuses (combined) and check runs of a commit, as one state. */
  private async checksOf(sha: string, action: string): Promise<ChecksState> {
    const base = { owner: this.owner, repo: this.repo, ref: sha };
    try {
      const [combined, runs] = await Promise.all([
        this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/status', base),
        this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...base, per_page: CHECK_RUNS_PAGE }),
      ]);
      // GitHub's combined state is `pending` for a commit that has no status at all: only the count tells.
      const statuses: ChecksState =
        combined.data.total_count === 0 ? 'none' : combined.data.state === 'success' ? 'passing' : combined.data.state === 'pending' ? 'pending' : 'failing';
      const checkRuns = runs.data.check_runs.map((run): ChecksState => {
        if (run.status !== 'completed') return 'pending';
        return FAILED_CONCLUSIONS.has(run.conclusion ?? '') ? 'failing' : 'passing';
      });
      return combineChecks([statuses, ...checkRuns]);
    } catch (error) {
      throw this.failure(error, action);
    }
  }

  /** The error an Octokit failure means for Hoist (see hostError); Octokit reports a network failure as status 500. */
  private failure(error: unknown, action: string): HoistError {
    if (error instanceof HoistError) return error;
    return hostError({ host: 'GitHub', action, status: statusOf(error), detail: messageOf(error), secrets: [this.token] }, error);
  }

  private async openPullRequestOnce(request: PullRequestRequest): Promise<PullRequestInfo> {
    let info: PullRequestInfo;
    try {
      const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/pulls', {
        owner: this.owner,
        repo: this.repo,
        head: request.branch,
        base: request.base,
        title: request.title,
        body: request.body,
      });
      info = { number: data.number, url: data.html_url, branch: request.branch, base: request.base };
      if (request.autoMerge === true) {
        const refused = await this.enableAutoMerge(data.node_id);
        if (refused !== undefined) info = { ...info, warnings: [refused] };
      }
    } catch (error) {
      // Another worker opened it a moment ago: use that one.
      const existing =
        statusOf(error) === 422 && PR_EXISTS.test(JSON.stringify((error as { response?: unknown }).response ?? ''))
          ? await this.findOpenPullRequest(request.branch, request.base)
          : undefined;
      if (existing === undefined) throw error;
      return existing;
    }
    if (request.labels.length > 0) {
      await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
        owner: this.owner,
        repo: this.repo,
        issue_number: info.number,
        labels: [...request.labels],
      });
    }
    return info;
  }

  /** GitHub's GraphQL `enablePullRequestAutoMerge`; answers why it was refused, if it was. */
  private async enableAutoMerge(pullRequestId: string): Promise<string | undefined> {
    try {
      await this.octokit.graphql('mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }', {
        id: pullRequestId,
      });
      return undefined;
    } catch (error) {
      // Auto-merge off for the repository, or no required checks: the PR stays open for a person.
      const first = (error as { errors?: Array<{ message?: string }> }).errors?.[0]?.message;
      return `auto-merge not enabled: ${first ?? messageOf(error)}`;
    }
  }
}
