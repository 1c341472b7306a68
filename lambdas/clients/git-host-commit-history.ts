import { Gitlab } from '@gitbeaker/rest';
import { Octokit } from '@octokit/core';
import type { PromotionConfig } from '../core/config/promotion-config';
import type { CommitHistory, CommitRelation, CommitSource } from '../core/ports';
import { hostError } from '../providers/host-error';

export interface GitHostCommitHistoryOptions {
  /** The token that may read a source's commits; undefined asks anonymously (a public repository). */
  readonly token: (source: CommitSource) => Promise<string | undefined>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The public hosts, when a `from` source names no `apiUrl`. */
export const DEFAULT_API_URLS: Readonly<Record<CommitSource['host'], string>> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com',
  gitea: 'https://gitea.com/api/v1',
};

/** GitHub's `status` of a comparison, which is already the relation of head to base. */
const GITHUB_STATUSES: ReadonlySet<string> = new Set(['ahead', 'behind', 'identical', 'diverged']);

/**
 * Asks GitHub, GitLab or Gitea how two commits of a repository relate.
 * GitHub's compare answers the relation itself (`status`). GitLab's and
 * Gitea's list the commits reachable from one side and not from the other,
 * so they are asked both ways: base→head only = ahead, head→base only =
 * behind, neither = identical, both = diverged. A 404 (an unknown commit or
 * repository) is undefined; any other refusal is the host's error.
 */
export class GitHostCommitHistory implements CommitHistory {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GitHostCommitHistoryOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async compare(source: CommitSource, base: string, head: string): Promise<CommitRelation | undefined> {
    const token = await this.options.token(source);
    const apiUrl = (source.apiUrl ?? DEFAULT_API_URLS[source.host]).replace(/\/$/, '');
    const action = `comparing ${base}...${head} of ${source.repository}`;
    switch (source.host) {
      case 'github':
        return compareOnGitHub(apiUrl, token, source.repository, base, head, action);
      case 'gitlab': {
        const api = new Gitlab({ host: apiUrl, ...(token ? { token } : {}) });
        const ahead = (from: string, to: string) => commitsOnGitLab(api, token, source.repository, from, to, action);
        return relationOf(await ahead(base, head), await ahead(head, base));
      }
      case 'gitea': {
        const ahead = (from: string, to: string) => this.commitsOnGitea(apiUrl, token, source.repository, from, to, action);
        return relationOf(await ahead(base, head), await ahead(head, base));
      }
    }
  }

  /** Gitea's `GET /repos/{owner}/{repo}/compare/{base}...{head}`: `commits` reachable from head and not from base. */
  private async commitsOnGitea(
    apiUrl: string,
    token: string | undefined,
    repository: string,
    from: string,
    to: string,
    action: string,
  ): Promise<number | undefined> {
    const [owner = '', repo = ''] = repository.split('/');
    const url = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/compare/${encodeURIComponent(from)}...${encodeURIComponent(to)}`;
    let response: Response;
    try {
      response = await this.fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `token ${token}` } : {}) } });
    } catch (error) {
      throw hostError({ host: 'Gitea', action, status: undefined, detail: String((error as Error).message), secrets: [token] }, error);
    }
    if (response.status === 404) return undefined;
    const text = await response.text();
    if (!response.ok) throw hostError({ host: 'Gitea', action, status: response.status, detail: text, secrets: [token] });
    const body = JSON.parse(text) as { commits?: unknown[] | null; total_commits?: number };
    return body.total_commits ?? body.commits?.length ?? 0;
  }
}

/** The relation of head to base from the commits each side has that the other has not. */
function relationOf(onlyInHead: number | undefined, onlyInBase: number | undefined): CommitRelation | undefined {
  if (onlyInHead === undefined || onlyInBase === undefined) return undefined;
  if (onlyInHead > 0) return onlyInBase > 0 ? 'diverged' : 'ahead';
  return onlyInBase > 0 ? 'behind' : 'identical';
}

interface HttpFailure {
  readonly status?: number;
  readonly message?: string;
  readonly cause?: { readonly description?: string; readonly response?: { readonly status?: number } };
}

/** GitHub's `GET /repos/{owner}/{repo}/compare/{base}...{head}`; its `status` is the relation. */
async function compareOnGitHub(
  apiUrl: string,
  token: string | undefined,
  repository: string,
  base: string,
  head: string,
  action: string,
): Promise<CommitRelation | undefined> {
  const [owner = '', repo = ''] = repository.split('/');
  const octokit = new Octokit({ baseUrl: apiUrl, ...(token ? { auth: token } : {}) });
  try {
    // One commit per page: only the status is read, not the commits.
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${base}...${head}`, per_page: 1 });
    return GITHUB_STATUSES.has(data.status) ? (data.status as CommitRelation) : undefined;
  } catch (error) {
    const status = (error as HttpFailure).status;
    if (status === 404) return undefined;
    throw hostError({ host: 'GitHub', action, status, detail: String((error as HttpFailure).message), secrets: [token] }, error);
  }
}

/** GitLab's `GET /projects/:id/repository/compare?from&to`: the number of `commits` reachable from `to` and not from `from`. */
async function commitsOnGitLab(
  api: InstanceType<typeof Gitlab>,
  token: string | undefined,
  project: string,
  from: string,
  to: string,
  action: string,
): Promise<number | undefined> {
  try {
    const compared = await api.Repositories.compare(project, from, to);
    return Array.isArray(compared.commits) ? compared.commits.length : 0;
  } catch (error) {
    const failure = error as HttpFailure;
    const status = failure.cause?.response?.status;
    if (status === 404) return undefined;
    throw hostError({ host: 'GitLab', action, status, detail: String(failure.cause?.description ?? failure.message), secrets: [token] }, error);
  }
}

/**
 * The credentials of the `from` source a commit source stands for (same
 * host, repository and API), so that a token is read only for a repository
 * the config grants one.
 */
export function commitCredentialsOf(config: PromotionConfig, source: CommitSource): { readonly secretName?: string; readonly env?: string } | undefined {
  for (const image of config.images) {
    for (const from of image.from) {
      if (from.host === source.host && from.repository.toLowerCase() === source.repository.toLowerCase() && from.apiUrl === source.apiUrl && from.credentials) {
        return from.credentials;
      }
    }
  }
  return undefined;
}
