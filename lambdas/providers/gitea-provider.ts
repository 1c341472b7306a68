import { ConflictError, TerminalError } from '../shared/errors';
import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo, PullRequestRequest } from './git-provider';

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
  if (match === null || !match[1] || !match[2] || !match[3]) throw new TerminalError(`'${url}' is not a Gitea repository URL`);
  return { api: `${match[1]}/api/v1`, owner: match[2], repo: match[3] };
}

class GiteaApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`Gitea answered ${status}: ${message}`);
  }
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
    const found = await this.call<{ commit: { id: string } }>('GET', `/branches/${encodeURIComponent(branch)}`, undefined, true);
    return found?.commit.id;
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    const found = await this.contentOf(commit, path);
    return found === undefined ? undefined : Buffer.from(found.content, 'base64').toString('utf8');
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
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
      if (error instanceof GiteaApiError && (error.status === 409 || error.status === 422) && LOST_RACE.test(error.message)) {
        throw new ConflictError(`${request.branch} moved while committing`, { cause: error });
      }
      throw error;
    }
  }

  async findOpenPullRequest(branch: string, base: string): Promise<PullRequestInfo | undefined> {
    const pulls =
      (await this.call<Array<{ number: number; html_url: string; head: { ref: string }; base: { ref: string } }>>('GET', '/pulls?state=open&limit=50')) ?? [];
    const pr = pulls.find((p) => p.head.ref === branch && p.base.ref === base);
    return pr === undefined ? undefined : { number: pr.number, url: pr.html_url, branch, base };
  }

  async openPullRequest(request: PullRequestRequest): Promise<PullRequestInfo> {
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
      if (error instanceof GiteaApiError && error.status === 409 && PR_EXISTS.test(error.message)) {
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

  private contentOf(ref: string, path: string): Promise<{ sha: string; content: string } | undefined> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return this.call<{ sha: string; content: string }>('GET', `/contents/${encoded}?ref=${encodeURIComponent(ref)}`, undefined, true);
  }

  private async call<T>(method: string, path: string, body?: unknown, allowNotFound = false): Promise<T | undefined> {
    const response = await this.fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `token ${this.options.token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
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
