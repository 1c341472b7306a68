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
import { type ChecksState, combineChecks } from './combine-checks';
import { findEarlierMerge } from './find-earlier-merge';
import { hostError } from './host-error';
import { redactSecrets } from './redact-secrets';
import { encodePathSegments, safeRepositoryPath } from './safe-repository-path';

export interface GiteaProviderOptions {
  /** `https://gitea.example.com/owner/repo(.git)`. */
  readonly url: string;
  readonly token: string;
  /** API base, e.g. `https://gitea.example.com/api/v1`. @default derived from the URL */
  readonly apiUrl?: string;
  readonly fetch?: typeof fetch;
}

/** Gitea's messages that mean "someone else got there first" (HTTP 409/422). */
const LOST_RACE = /(sha does not match|already exists|not up to date)/i;
const PR_EXISTS = /pull request already exists/i;
/**
 * Gitea's 409 messages of a merge that lost a race: the head moved from
 * `head_commit_id` ("head out of date"), or the base moved while merging
 * ("merge push out of date"). Its other 409s are merge conflicts.
 */
const MERGE_RACE = /(head out of date|push out of date)/i;
/** Commit status states (`status` of each entry in a combined status) that block a merge; `warning` and `skipped` do not. */
const FAILED_STATUSES = new Set(['failure', 'error']);

/** API base, owner and repository of a Gitea clone URL. */
export function giteaRepoOf(url: string): { api: string; owner: string; repo: string } {
  const match = /^(https?:\/\/[^/]+(?:\/[^/]+)*?)\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (match === null || !match[1] || !match[2] || !match[3]) throw new TerminalError(`'${redactSecrets(url)}' is not a Gitea repository URL`);
  return { api: `${match[1]}/api/v1`, owner: match[2], repo: match[3] };
}

class GiteaApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`Gitea answered ${status}: ${detail}`);
  }
}

/** What `GET contents/{path}` answers: one entry for a file, a list for a folder. */
type GiteaContents = { type: string; sha: string; content?: string | null } | unknown[];

/** The fields of Gitea's `PullRequest` that Hoist reads. */
interface GiteaPull {
  readonly number: number;
  readonly html_url: string;
  readonly title: string;
  readonly body?: string | null;
  readonly head: { readonly ref: string };
  readonly base: { readonly ref: string };
}

/** The fields of Gitea's `PullRequest` (`GET pulls/{index}`) that a status needs. */
interface GiteaPullDetail {
  readonly number: number;
  readonly html_url: string;
  readonly state: string;
  readonly merged?: boolean;
  readonly merge_commit_sha?: string | null;
  readonly head: { readonly ref: string; readonly sha: string };
  readonly base: { readonly ref: string };
}

/** Gitea's combined status of a commit; some versions answer an empty 200 for a commit without statuses. */
type GiteaCombinedStatus = { readonly statuses?: ReadonlyArray<{ readonly status?: string }> | null } | null;

/** A Gitea pull request and its checks in the shape every provider answers. */
function convertGiteaPull(pr: GiteaPullDetail, checks: ChecksState): PullRequestStatus {
  const state = pr.merged === true ? 'merged' : pr.state === 'open' ? 'open' : 'closed';
  return {
    number: pr.number,
    url: pr.html_url,
    state,
    head: pr.head.sha,
    branch: pr.head.ref,
    base: pr.base.ref,
    checks,
    ...(state === 'merged' && pr.merge_commit_sha ? { mergeCommit: pr.merge_commit_sha } : {}),
  };
}

/**
 * Gitea through its REST API (v1). Several files become one commit through
 * `POST /repos/{owner}/{repo}/contents` (Gitea 1.20+); each update carries the
 * blob SHA the file had in the commit it was read from, so Gitea refuses the
 * commit when that file changed meanwhile, which is a ConflictError here.
 */
export class GiteaProvider implements GitProvider {
  readonly supportsPullRequests = true;
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GiteaProviderOptions) {
    const { api, owner, repo } = giteaRepoOf(options.url);
    this.base = `${(options.apiUrl ?? api).replace(/\/$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async branchHead(branch: string): Promise<string | undefined> {
    const action = `reading the branch ${branch}`;
    try {
      const found = await this.call<{ commit: { id: string } }>('GET', `/branches/${encodeURIComponent(branch)}`);
      return found?.commit.id;
    } catch (error) {
      if (!(error instanceof GiteaApiError && error.status === 404)) throw this.failure(error, action);
    }
    // Gitea's 404 messages differ between versions: ask whether the repository is there.
    await this.call('GET', '').catch((error: unknown) => {
      throw this.failure(error, `${action} (repository)`);
    });
    return undefined;
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    const found = await this.contentOf(commit, safeRepositoryPath(path));
    return found === undefined ? undefined : Buffer.from(found.content, 'base64').toString('utf8');
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
    const files = await Promise.all(
      request.files.map(async (file) => {
        const current = await this.contentOf(request.parent, file.path);
        const content = Buffer.from(file.content, 'utf8').toString('base64');
        return current === undefined ? { operation: 'create', path: file.path, content } : { operation: 'update', path: file.path, content, sha: current.sha };
      }),
    );
    if (request.update === 'reset') await this.call('DELETE', `/branches/${encodeURIComponent(request.branch)}`, undefined, true);
    if (request.update !== 'fast-forward' && request.startBranch === undefined) throw new TerminalError('a new Gitea branch needs the branch it starts from');
    const target = request.update === 'fast-forward' ? { branch: request.branch } : { branch: request.startBranch, new_branch: request.branch };
    try {
      const result = await this.call<{ commit: { sha: string; html_url?: string } }>('POST', '/contents', { ...target, message: request.message, files });
      return { sha: result?.commit.sha as string, ...(result?.commit.html_url ? { url: result.commit.html_url } : {}) };
    } catch (error) {
      if (error instanceof GiteaApiError && (error.status === 409 || error.status === 422) && LOST_RACE.test(error.detail)) {
        throw new ConflictError(`${request.branch} moved while committing`, { cause: error });
      }
      throw error;
    }
  }

  async findOpenPullRequest(branch: string, base: string): Promise<PullRequestInfo | undefined> {
    try {
      const pulls = (await this.call<GiteaPull[]>('GET', '/pulls?state=open&limit=50')) ?? [];
      const pr = pulls.find((p) => p.head.ref === branch && p.base.ref === base);
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
      await this.call('PATCH', `/pulls/${request.number}`, { title: request.title, body: request.body });
    } catch (error) {
      throw this.failure(error, `updating pull request #${request.number}`);
    }
  }

  async pullRequestStatus(number: number): Promise<PullRequestStatus | undefined> {
    const pr = await this.readPull(number);
    return pr === undefined ? undefined : convertGiteaPull(pr, await this.checksOf(pr.head.sha, `reading the checks of pull request #${number}`));
  }

  /**
   * Merges with a merge commit (`Do: merge`) and `head_commit_id` set to the
   * approved head, so Gitea answers 409 "head out of date" (a ConflictError)
   * when someone pushed in between. Its 405 (not mergeable now: conflicts,
   * missing approvals, still checking) and its 409 for merge conflicts are
   * TerminalErrors. Gitea answers an empty 200, so the merge commit is read
   * from the pull request afterwards.
   */
  async mergePullRequest(request: MergeRequest): Promise<{ readonly sha: string }> {
    const name = `pull request #${request.number}`;
    const status = await this.pullRequestStatus(request.number);
    if (status === undefined) throw new TerminalError(`Gitea has no ${name}`);
    const earlier = findEarlierMerge(status, request);
    if (earlier !== undefined) return earlier;
    assertMergeable(status, request, name);
    const [title = '', ...rest] = request.message.split('\n');
    try {
      await this.call('POST', `/pulls/${request.number}/merge`, {
        Do: 'merge',
        MergeTitleField: title,
        MergeMessageField: rest.join('\n').trim(),
        head_commit_id: request.expectedHead,
      });
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 409 && MERGE_RACE.test(error.detail)) {
        throw new ConflictError(`${name} moved while merging: ${error.detail}`, { cause: error });
      }
      if (error instanceof GiteaApiError && (error.status === 405 || error.status === 409)) {
        throw new TerminalError(`Gitea will not merge ${name} (${error.status}): ${redactSecrets(error.detail, [this.options.token]) || 'not mergeable'}`, {
          cause: error,
        });
      }
      throw this.failure(error, `merging ${name}`);
    }
    const merged = await this.pullRequestStatus(request.number);
    if (merged?.mergeCommit === undefined) throw new UnavailableError(`Gitea answered that ${name} was merged, but it does not show a merge commit yet`);
    return { sha: merged.mergeCommit };
  }

  /** Comments, then closes (`PATCH pulls/{index}` with `state: closed`); a closed PR is left as it is, a merged one refused. */
  async closePullRequest(number: number, comment: string): Promise<void> {
    const name = `pull request #${number}`;
    const pr = await this.readPull(number);
    if (pr === undefined) throw new TerminalError(`Gitea has no ${name}`);
    if (pr.merged === true) throw new TerminalError(`${name} is merged already: it cannot be closed`);
    if (pr.state !== 'open') return;
    try {
      await this.call('POST', `/issues/${number}/comments`, { body: comment });
      await this.call('PATCH', `/pulls/${number}`, { state: 'closed' });
    } catch (error) {
      throw this.failure(error, `closing ${name}`);
    }
  }

  /** A pull request, undefined on Gitea's 404 when the repository itself is there (its 404 messages differ between versions). */
  private async readPull(number: number): Promise<GiteaPullDetail | undefined> {
    const action = `reading pull request #${number}`;
    try {
      return await this.call<GiteaPullDetail>('GET', `/pulls/${number}`);
    } catch (error) {
      if (!(error instanceof GiteaApiError && error.status === 404)) throw this.failure(error, action);
    }
    await this.call('GET', '').catch((error: unknown) => {
      throw this.failure(error, `${action} (repository)`);
    });
    return undefined;
  }

  /**
   * The combined status of a commit, judged entry by entry (the latest
   * status of each context): Gitea's combined `state` ranks `warning` worse
   * than `pending` (its `commitStatusPriorities`), so a warning would hide a
   * check that is still running.
   */
  private async checksOf(sha: string, action: string): Promise<ChecksState> {
    let combined: GiteaCombinedStatus | undefined;
    try {
      combined = await this.call<GiteaCombinedStatus>('GET', `/commits/${encodeURIComponent(sha)}/status`);
    } catch (error) {
      throw this.failure(error, action);
    }
    const states = (combined?.statuses ?? []).map((entry): ChecksState => {
      if (entry.status === 'pending') return 'pending';
      return FAILED_STATUSES.has(entry.status ?? '') ? 'failing' : 'passing';
    });
    return combineChecks(states);
  }

  /** The error a failed call means for Hoist (see hostError). */
  private failure(error: unknown, action: string): HoistError {
    if (error instanceof HoistError) return error;
    if (error instanceof GiteaApiError)
      return hostError({ host: 'Gitea', action, status: error.status, detail: error.detail, secrets: [this.options.token] }, error);
    return hostError({ host: 'Gitea', action, status: undefined, detail: redactSecrets(String((error as Error).message), [this.options.token]) }, error);
  }

  private async openPullRequestOnce(request: PullRequestRequest): Promise<PullRequestInfo> {
    const labels = request.labels.length === 0 ? [] : await this.labelIds(request.labels);
    try {
      const pr = await this.call<{ number: number; html_url: string }>('POST', '/pulls', {
        head: request.branch,
        base: request.base,
        title: request.title,
        body: request.body,
        labels,
      });
      const info: PullRequestInfo = { number: pr?.number as number, url: pr?.html_url as string, branch: request.branch, base: request.base };
      if (request.autoMerge !== true) return info;
      try {
        // Gitea 1.20+: schedule the merge for when the required checks pass.
        await this.call('POST', `/pulls/${info.number}/merge`, { Do: 'merge', merge_when_checks_succeed: true });
        return info;
      } catch (error) {
        return { ...info, warnings: [`auto-merge not enabled: ${(error as Error).message}`] };
      }
    } catch (error) {
      if (error instanceof GiteaApiError && error.status === 409 && PR_EXISTS.test(error.detail)) {
        const existing = await this.findOpenPullRequest(request.branch, request.base);
        if (existing !== undefined) return existing;
      }
      throw error;
    }
  }

  private async labelIds(names: readonly string[]): Promise<number[]> {
    const labels = (await this.call<Array<{ id: number; name: string }>>('GET', '/labels?limit=50')) ?? [];
    return labels.filter((l) => names.includes(l.name)).map((l) => l.id);
  }

  /**
   * A file's entry at a commit, undefined only when Gitea knows the commit and
   * it has no such path. Gitea's 404 says "not found" for both a missing
   * path and a missing ref, and its wording changes between versions, so on
   * a 404 the commit itself is asked for: known means the file is missing,
   * unknown is a ConflictError (re-read the branch).
   */
  private async contentOf(ref: string, path: string): Promise<{ sha: string; content: string } | undefined> {
    const action = `reading ${path} at ${ref}`;
    let found: GiteaContents | undefined;
    try {
      found = await this.call<GiteaContents>('GET', `/contents/${encodePathSegments(path)}?ref=${encodeURIComponent(ref)}`);
    } catch (error) {
      if (!(error instanceof GiteaApiError && error.status === 404)) throw this.failure(error, action);
      try {
        await this.call('GET', `/git/commits/${encodeURIComponent(ref)}`);
      } catch (lookup) {
        if (lookup instanceof GiteaApiError && lookup.status === 404)
          throw new ConflictError(`Gitea does not know commit ${ref}; re-read the branch`, { cause: lookup });
        throw this.failure(lookup, action);
      }
      return undefined;
    }
    if (found === undefined || Array.isArray(found) || found.type !== 'file' || typeof found.content !== 'string') {
      throw new TerminalError(`${path} at ${ref} is not a file`);
    }
    return { sha: found.sha, content: found.content };
  }

  private async call<T>(method: string, path: string, body?: unknown, allowNotFound = false): Promise<T | undefined> {
    let response: Response;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `token ${this.options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UnavailableError(`Gitea could not be reached: ${redactSecrets(String((error as Error).message), [this.options.token])}`, { cause: error });
    }
    const text = await response.text();
    if (response.status === 404 && allowNotFound) return undefined;
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // keep the raw text
      }
      throw new GiteaApiError(response.status, message.slice(0, 300));
    }
    return text === '' ? undefined : (JSON.parse(text) as T);
  }
}
