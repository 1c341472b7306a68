import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo, PullRequestRequest, PullRequestUpdate } from '../core/ports';
import { ConflictError, HoistError, TerminalError, UnavailableError } from '../shared/errors';
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
