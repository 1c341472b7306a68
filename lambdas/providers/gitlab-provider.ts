import { Gitlab } from '@gitbeaker/rest';
import { ConflictError, TerminalError } from '../shared/errors';
import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo, PullRequestRequest } from './git-provider';

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

/** Host and project path of a GitLab clone URL. */
export function gitLabProjectOf(url: string): { host: string; project: string } {
  const https = /^https?:\/\/([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(url);
  if (https?.[1] && https[2]) return { host: `https://${https[1]}`, project: https[2] };
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(?:\.git)?$/.exec(url);
  if (ssh?.[1] && ssh[2]) return { host: `https://${ssh[1]}`, project: ssh[2] };
  throw new TerminalError(`'${url}' is not a GitLab project URL`);
}

interface GitbeakerFailure {
  readonly cause?: { readonly description?: string; readonly response?: { readonly status?: number } };
}
const statusOf = (error: unknown): number | undefined => (error as GitbeakerFailure).cause?.response?.status;
const describe = (error: unknown): string => String((error as GitbeakerFailure).cause?.description ?? (error as Error).message);

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

  constructor(options: GitLabProviderOptions) {
    const { host, project } = gitLabProjectOf(options.url);
    this.project = project;
    this.api = new Gitlab({ host: options.apiUrl ?? host, token: options.token });
  }

  async branchHead(branch: string): Promise<string | undefined> {
    try {
      const found = await this.api.Branches.show(this.project, branch);
      return found.commit.id as string;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    try {
      const raw: unknown = await this.api.RepositoryFiles.showRaw(this.project, path, commit);
      if (typeof raw === 'string') return raw;
      if (raw instanceof Blob) return await raw.text();
      return raw === undefined || raw === null ? undefined : String(raw);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
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
    const found = await this.api.MergeRequests.all({ projectId: this.project, sourceBranch: branch, targetBranch: base, state: 'opened' });
    const [mr] = found;
    return mr === undefined ? undefined : { number: mr.iid as number, url: mr.web_url as string, branch, base };
  }

  async openPullRequest(request: PullRequestRequest): Promise<PullRequestInfo> {
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
