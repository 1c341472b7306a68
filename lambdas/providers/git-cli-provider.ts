import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError, TerminalError, UnavailableError } from '../shared/errors';
import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo } from './git-provider';

export interface GitCliProviderOptions {
  /** Clone URL: HTTPS, SSH, or a local path. */
  readonly url: string;
  /** For HTTPS remotes: sent as basic auth (`x-access-token:<token>`) through git's environment, never its arguments. */
  readonly token?: string;
  /** Where the local object cache lives. @default a folder under the OS temp dir */
  readonly cacheDir?: string;
  readonly author?: { readonly name: string; readonly email: string };
}

/** Git's stderr when a push lost the race (non-fast-forward, stale lease, ref exists). */
const LOST_RACE = /(non-fast-forward|stale info|fetch first|already exists|\[rejected\]|cannot lock ref)/;

/**
 * Any Git remote through the `git` CLI: shallow fetches into a bare cache,
 * commits built with plumbing (no work tree), and pushes guarded by
 * `--force-with-lease`, so a branch that moved under us is a ConflictError.
 * Plain git has no pull requests; a PR-mode change is pushed as a branch.
 */
export class GitCliProvider implements GitProvider {
  readonly supportsPullRequests = false;
  private readonly cache: string;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GitCliProviderOptions) {
    const id = createHash('sha256').update(options.url).digest('hex').slice(0, 16);
    this.cache = options.cacheDir ?? join(tmpdir(), 'hoist-git', id);
  }

  async branchHead(branch: string): Promise<string | undefined> {
    return this.serialized(async () => {
      await this.init();
      const listing = await this.git(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`]);
      const sha = listing.split(/\s+/)[0];
      if (!sha) return undefined;
      await this.git(['fetch', '--quiet', '--depth=1', '--no-tags', 'origin', `+refs/heads/${branch}:refs/remotes/origin/${branch}`]);
      return sha;
    });
  }

  async readFile(commit: string, path: string): Promise<string | undefined> {
    await this.init();
    try {
      return await this.git(['cat-file', 'blob', `${commit}:${path}`]);
    } catch {
      return undefined;
    }
  }

  async commit(request: CommitRequest): Promise<CommitResult> {
    return this.serialized(async () => {
      await this.init();
      const index = join(this.cache, `index-${randomUUID()}`);
      const env = { GIT_INDEX_FILE: index };
      try {
        await this.git(['read-tree', request.parent], env);
        for (const file of request.files) {
          const blob = (await this.git(['hash-object', '-w', '--stdin'], env, file.content)).trim();
          await this.git(['update-index', '--add', '--cacheinfo', `100644,${blob},${file.path}`], env);
        }
        const tree = (await this.git(['write-tree'], env)).trim();
        const sha = (await this.git(['commit-tree', tree, '-p', request.parent], env, request.message)).trim();
        const ref = `refs/heads/${request.branch}`;
        const lease =
          request.update === 'fast-forward'
            ? `--force-with-lease=${ref}:${request.parent}`
            : request.update === 'create'
              ? `--force-with-lease=${ref}:`
              : '--force';
        try {
          await this.git(['push', '--quiet', '--porcelain', lease, 'origin', `${sha}:${ref}`]);
        } catch (error) {
          if (LOST_RACE.test(String((error as Error).message))) {
            throw new ConflictError(`${request.branch} moved while committing`, { cause: error });
          }
          throw error;
        }
        return { sha };
      } finally {
        await rm(index, { force: true });
      }
    });
  }

  async findOpenPullRequest(): Promise<PullRequestInfo | undefined> {
    return undefined;
  }

  async openPullRequest(): Promise<PullRequestInfo> {
    throw new TerminalError('the git provider cannot open pull requests; the branch has been pushed');
  }

  /** One git operation at a time per cache: fetches and pushes share refs. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.cache, { recursive: true });
      await this.git(['init', '--quiet', '--bare']);
      await this.git(['config', 'remote.origin.url', this.options.url]);
    })();
    return this.ready;
  }

  private git(args: readonly string[], extraEnv: Record<string, string> = {}, input?: string): Promise<string> {
    const author = this.options.author ?? { name: 'Hoist', email: 'hoist@localhost' };
    const env: Record<string, string> = {
      ...filteredEnv(),
      GIT_DIR: this.cache,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      ...extraEnv,
    };
    if (this.options.token !== undefined) {
      const basic = Buffer.from(`x-access-token:${this.options.token}`).toString('base64');
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
    }
    return new Promise((resolve, reject) => {
      const child = execFile('git', args, { env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') reject(new UnavailableError('the git executable is not installed'));
          else reject(new Error(`git ${args[0]} failed: ${`${stderr.trim()} ${stdout.trim()}`.trim() || error.message}`, { cause: error }));
          return;
        }
        resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}

/** The process environment without git variables that would redirect our commands. */
function filteredEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('GIT_')) env[key] = value;
  }
  return env;
}
