import { Octokit as OctokitCore } from '@octokit/core';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo, PullRequestRequest, PullRequestUpdate } from '../core/ports';
import { ConflictError, HoistError, TerminalError } from '../shared/errors';
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
    const action = `reading the branch ${branch}`;
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: this.owner, repo: this.repo, ref: `heads/${branch}` });
      return data.object.sha;
    } catch (error) {
      if (statusOf(error) !== 404) throw this.failure(error, action);
    }
    // GitHub answers a missing ref and a missing (or hidden) repository alike: ask for the repository.
    try {
      await this.octokit.request('GET /repos/{owner}/{repo}', { owner: this.owner, repo: this.repo });
    } catch (error) {
      throw this.failure(error, `${action} (repository ${this.owner}/${this.repo})`);
    }
    return undefined;
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
