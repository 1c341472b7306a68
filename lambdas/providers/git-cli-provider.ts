import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommitRequest, CommitResult, GitProvider, PullRequestInfo, PullRequestStatus } from '../core/ports';
import { ConflictError, HoistError, TerminalError, UnavailableError } from '../shared/errors';
import { GitObjectReader } from './git-object-reader';
import { redactSecrets } from './redact-secrets';
import { safeRepositoryPath } from './safe-repository-path';

export interface GitCliProviderOptions {
  /** Clone URL: HTTPS, SSH, or a local path. Credentials in an HTTPS URL (`https://user:token@host/…`) are taken out of it and sent like `token`. */
  readonly url: string;
  /** For HTTPS remotes: sent as basic auth (`x-access-token:<token>`) through git's environment, never its arguments or a file. */
  readonly token?: string;
  /**
   * Where the local object cache lives. It must be a directory of the current
   * user that is empty (or missing, under an existing parent), or one this
   * process has already set up as a cache; anything else is refused, since
   * git would trust the configuration found in it. It is made private (0700).
   * @default a new private directory made with mkdtemp under the OS temp dir
   */
  readonly cacheDir?: string;
  readonly author?: { readonly name: string; readonly email: string };
}

/** Git's stderr when a push lost the race (non-fast-forward, stale lease, ref exists). */
const LOST_RACE = /(non-fast-forward|stale info|fetch first|already exists|\[rejected\]|cannot lock ref)/;
/** Git's stderr when the branch asked for is not on the remote. */
const NO_SUCH_BRANCH = /couldn't find remote ref/i;
/** The ref git names when it misses one (`fatal: couldn't find remote ref refs/heads/x`). */
const MISSING_REF = /couldn't find remote ref refs\/heads\/(\S+)/i;
/** Git's stderr for a permanent refusal: credentials, permissions, no such repository. */
const REFUSED =
  /(Authentication failed|could not read (Username|Password)|Permission denied|returned error: 40[134]|Repository not found|does not appear to be a git repository|not found|access denied)/i;
/** Git's stderr for a failure that may pass: the network, a busy or failing server. */
const TRANSIENT =
  /(returned error: (429|5\d\d)|Could not resolve host|Failed to connect|Connection (refused|reset|timed out)|timed out|early EOF|RPC failed|remote end hung up)/i;
/** A full object id (SHA-1 or SHA-256). */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Protocols git may use for the remote: `ext::` and friends would run commands. */
const ALLOWED_PROTOCOLS = 'file:git:http:https:ssh';

/**
 * Config of every command on the cache, per command and never written to it.
 * No hooks run, whatever the cache holds. No automatic `gc`/`maintenance`
 * after a fetch or commit: that would be two more processes per command and
 * an occasional repack in the middle of a promotion; the cache is tidied
 * every HOUSEKEEPING_EVERY writes instead (see `tidy`).
 */
const CACHE_CONFIG: Readonly<Record<string, string>> = { 'core.hooksPath': '/dev/null', 'gc.auto': '0', 'maintenance.auto': 'false' };
/**
 * Fetches and imports between two `gc --auto` runs on the cache. Each import
 * keeps its objects as a small pack (no `unpack-objects` process); `gc --auto`
 * packs them together once there are more than 50.
 */
const HOUSEKEEPING_EVERY = 50;
/** Branches fetched along with the one asked for: those asked for most recently, at most this many. */
const MAX_FETCHED_ALONG = 8;
/** How long a branch head fetched along with another may answer one later `branchHead` of its own. */
const FETCHED_ALONG_FOR_MS = 5_000;

/** Cache directories this process has set up: only those may be used again (see `cacheDir`). */
const claimedCaches = new Set<string>();

/**
 * Any Git remote through the `git` CLI: shallow fetches into a private bare
 * cache, commits built by one `git fast-import` (no work tree, no index), and
 * pushes guarded by `--force-with-lease`, so a branch that moved under us is a
 * ConflictError. Files and fetched heads are read through one long-lived
 * `git cat-file --batch`. A fetch also brings the heads of the branches asked
 * for last, each of which then answers one `branchHead` of its own within
 * FETCHED_ALONG_FOR_MS: reading a branch and its promotion branch is one
 * fetch. The remote is passed as a URL argument on each fetch and push, never
 * stored in the cache's config; credentials travel in the environment of
 * those two commands only. System and global git config are ignored. Plain
 * git has no pull requests; a PR-mode change is pushed as a branch.
 */
export class GitCliProvider implements GitProvider {
  readonly supportsPullRequests = false;
  private readonly remote: Remote;
  private readonly reader: GitObjectReader;
  private cache = '';
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Branches asked for, most recent first (at most MAX_FETCHED_ALONG + 1). */
  private recentBranches: string[] = [];
  /** Branches a fetch brought along and no `branchHead` has answered from yet, with when. */
  private readonly fetchedAlong = new Map<string, number>();
  /** Commits asked for and not yet imported. */
  private waitingCommits: WaitingCommit[] = [];
  /** Whether a `pushWaitingCommits` is queued and has not started. */
  private pushScheduled = false;
  /** Fetches and commits since the cache was last tidied. */
  private writes = 0;

  constructor(private readonly options: GitCliProviderOptions) {
    this.remote = remoteOf(options.url, options.token);
    this.reader = new GitObjectReader(
      () => this.envOf({}),
      (why) => new UnavailableError(`git cat-file failed: ${redactSecrets(why, this.remote.secrets)}`),
    );
  }

  /** The commit the branch points at on the remote, fetched into the cache; undefined when there is no such branch. */
  async branchHead(branch: string): Promise<string | undefined> {
    return this.serialized(async () => {
      await this.init();
      this.recentBranches = [branch, ...this.recentBranches.filter((b) => b !== branch)].slice(0, MAX_FETCHED_ALONG + 1);
      const fetchedAt = this.fetchedAlong.get(branch);
      this.fetchedAlong.delete(branch);
      if (fetchedAt === undefined || Date.now() - fetchedAt > FETCHED_ALONG_FOR_MS) {
        const found = await this.fetch(branch);
        if (!found) return undefined;
      }
      // Exactly what the fetch brought: a separate ls-remote could name a commit the fetch did not bring.
      const head = await this.reader.read(`${trackingRef(branch)}^{commit}`);
      if (head === undefined) throw new UnavailableError(`the fetch of ${branch} left no commit in the cache`);
      return head.id;
    });
  }

  /**
   * A file's text at a commit of the cache. Undefined only when the commit is
   * here and its tree has no such path; a commit that is not here is a
   * ConflictError (re-read the branch), any other failure an error, never "missing".
   */
  async readFile(commit: string, path: string): Promise<string | undefined> {
    const file = safeRepositoryPath(path);
    const id = objectId(commit);
    await this.init();
    const object = await this.reader.read(`${id}:${file}`);
    if (object?.type === 'blob') return object.content.toString('utf8');
    if (object !== undefined) throw new TerminalError(`${file} at ${id} is not a file (${object.type})`);
    // Only now find out why: no process for the common case, one or two for the rare one.
    if ((await this.reader.read(`${id}^{commit}`)) === undefined) {
      throw new ConflictError(`commit ${id} is not in the local cache; re-read the branch`);
    }
    // A submodule's entry names a commit that is not here either: it is no file.
    const listing = await this.git(['ls-tree', '-z', id, '--', file]).catch((failure: unknown) => {
      throw this.mapped(failure, `reading ${file} at ${id}`);
    });
    const entry = listing
      .split('\0')
      .map((line) => /^(\d+) (\w+) [0-9a-f]+\t(.*)$/s.exec(line))
      .find((match) => match?.[3] === file);
    if (entry === undefined || entry === null) return undefined;
    throw new TerminalError(`${file} at ${id} is not a file (${entry[2]})`);
  }

  /**
   * Commits made while others wait or are being imported share their push:
   * one `git push` for all their branches, each guarded by its own lease, so
   * git moves or refuses each branch on its own and each caller gets its own
   * answer. A second commit onto a branch already in a push waits for the next.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    for (const file of request.files) safeRepositoryPath(file.path);
    objectId(request.parent);
    return new Promise((resolve, reject) => {
      this.waitingCommits.push({ request, resolve, reject });
      if (this.pushScheduled) return;
      this.pushScheduled = true;
      void this.serialized(() => this.pushWaitingCommits());
    });
  }

  /** Imports the commits waiting (and those that come meanwhile) and pushes them together. */
  private async pushWaitingCommits(): Promise<void> {
    this.pushScheduled = false;
    const batch: WaitingCommit[] = [];
    const shas: string[] = [];
    try {
      await this.init();
      // Two rounds at most: those waiting now, then those that came during the first import.
      for (let round = 0; round < 2; round += 1) {
        const taken = this.takeWaitingCommits(new Set(batch.map((w) => w.request.branch)));
        if (taken.length === 0) break;
        try {
          shas.push(...(await this.importCommits(taken.map((w) => w.request))));
          batch.push(...taken);
        } catch (error) {
          for (const waiting of taken) waiting.reject(error);
        }
      }
      if (batch.length > 0) {
        const answers = await this.pushCommits(
          batch.map((w) => w.request),
          shas,
        );
        batch.forEach((waiting, i) => {
          const answer = answers[i];
          if (answer === undefined || answer instanceof Error) waiting.reject(answer ?? new Error('no answer for the commit'));
          else waiting.resolve(answer);
        });
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      if (this.waitingCommits.length > 0 && !this.pushScheduled) {
        this.pushScheduled = true;
        void this.serialized(() => this.pushWaitingCommits());
      }
    }
  }

  /** The waiting commits onto branches other than `excluded`, one per branch, in the order they came; the others wait on. */
  private takeWaitingCommits(excluded: Set<string>): WaitingCommit[] {
    const taken: WaitingCommit[] = [];
    const left: WaitingCommit[] = [];
    for (const waiting of this.waitingCommits) {
      if (excluded.has(waiting.request.branch)) left.push(waiting);
      else {
        excluded.add(waiting.request.branch);
        taken.push(waiting);
      }
    }
    this.waitingCommits = left;
    return taken;
  }

  /** One push of each request's commit onto its branch; per request, its result or its error. */
  private async pushCommits(requests: readonly CommitRequest[], shas: readonly string[]): Promise<Array<CommitResult | Error>> {
    // Whatever a fetch brought of these branches is stale once we push to them.
    for (const request of requests) this.fetchedAlong.delete(request.branch);
    // A reset moves its branch whatever it holds (`+` on its refspec below); the others only from what was read.
    const leases = requests.flatMap((request) => {
      const ref = `refs/heads/${request.branch}`;
      if (request.update === 'fast-forward') return [`--force-with-lease=${ref}:${request.parent}`];
      return request.update === 'create' ? [`--force-with-lease=${ref}:`] : [];
    });
    const refspecs = requests.map((request, i) => `${request.update === 'reset' ? '+' : ''}${shas[i]}:refs/heads/${request.branch}`);
    let failure: GitFailure | undefined;
    try {
      await this.remoteGit(['push', '--quiet', '--porcelain', ...leases, '--end-of-options', this.remote.url, ...refspecs]);
    } catch (error) {
      if (!(error instanceof GitFailure)) throw this.mapped(error, `pushing ${requests.map((r) => r.branch).join(', ')}`);
      failure = error;
    }
    await this.tidy();
    const answers = requests.map((request, i): CommitResult | Error => {
      if (failure === undefined) return { sha: shas[i] as string };
      const line = pushedRefLine(failure.stdout, `refs/heads/${request.branch}`);
      // Git reports each ref it tried; one that is not refused has moved.
      if (line !== undefined && !line.startsWith('!')) return { sha: shas[i] as string };
      // What git said of this ref: its line, and the remote's messages that name it (`cannot lock ref 'refs/heads/…'`).
      const said =
        requests.length === 1
          ? failure.output
          : [line ?? '', ...failure.stderr.split('\n').filter((l) => l.includes(`'refs/heads/${request.branch}'`))].join('\n');
      if (LOST_RACE.test(said)) return new ConflictError(`${request.branch} moved while committing`, { cause: failure });
      return this.mapped(failure, `pushing ${request.branch}`);
    });
    // Someone else is pushing: nothing fetched along is to be trusted for the retry.
    if (answers.some((a) => a instanceof ConflictError)) this.fetchedAlong.clear();
    return answers;
  }

  async findOpenPullRequest(): Promise<PullRequestInfo | undefined> {
    return undefined;
  }

  async openPullRequest(): Promise<PullRequestInfo> {
    throw new TerminalError('the git provider cannot open pull requests; the branch has been pushed');
  }

  /** Plain git has no pull requests, so there is no title or description to update. */
  async updatePullRequest(): Promise<void> {
    return undefined;
  }

  /** Plain git has no pull requests: there is none to find by number. */
  async pullRequestStatus(): Promise<PullRequestStatus | undefined> {
    return undefined;
  }

  async mergePullRequest(): Promise<{ readonly sha: string }> {
    throw new TerminalError('plain git has no pull requests: there is none to merge');
  }

  async closePullRequest(): Promise<void> {
    throw new TerminalError('plain git has no pull requests: there is none to close');
  }

  /**
   * Fetches `branch`, with the branches asked for last; false when the remote
   * has no `branch`. A branch fetched along that is gone from the remote is
   * forgotten, and the fetch made again without it.
   */
  private async fetch(branch: string): Promise<boolean> {
    let along = this.recentBranches.filter((b) => b !== branch);
    for (;;) {
      const refspecs = [branch, ...along].map((b) => `+refs/heads/${b}:${trackingRef(b)}`);
      try {
        await this.remoteGit(['fetch', '--quiet', '--depth=1', '--no-tags', '--end-of-options', this.remote.url, ...refspecs]);
      } catch (error) {
        if (!(error instanceof GitFailure && NO_SUCH_BRANCH.test(error.stderr))) throw this.mapped(error, `fetching ${branch}`);
        const gone = MISSING_REF.exec(error.stderr)?.[1];
        if (along.length === 0 || gone === branch) {
          this.recentBranches = this.recentBranches.filter((b) => b !== branch);
          return false;
        }
        // Git names the first ref it missed; without a name, the fetch is made again for the branch alone.
        along = gone === undefined ? [] : along.filter((b) => b !== gone);
        this.recentBranches = this.recentBranches.filter((b) => b === branch || along.includes(b));
        continue;
      }
      const now = Date.now();
      for (const b of along) this.fetchedAlong.set(b, now);
      this.writes += 1;
      return true;
    }
  }

  /** Writes the commits with one `git fast-import`, under refs that it deletes again, and answers their ids. */
  private async importCommits(requests: readonly CommitRequest[]): Promise<string[]> {
    const author = this.options.author ?? { name: 'Hoist', email: 'hoist@localhost' };
    const ident = `${identPart(author.name)} <${identPart(author.email)}> now`;
    const chunks: Buffer[] = [];
    const refs: string[] = [];
    requests.forEach((request, i) => {
      const ref = `refs/hoist/import-${randomUUID()}`;
      refs.push(ref);
      const message = Buffer.from(request.message, 'utf8');
      chunks.push(Buffer.from(`commit ${ref}\nmark :${i + 1}\nauthor ${ident}\ncommitter ${ident}\ndata ${message.length}\n`), message);
      chunks.push(Buffer.from(`\nfrom ${request.parent}\n`));
      for (const file of request.files) {
        const content = Buffer.from(file.content, 'utf8');
        chunks.push(Buffer.from(`M 100644 inline ${quotedPath(file.path)}\ndata ${content.length}\n`), content, Buffer.from('\n'));
      }
      chunks.push(Buffer.from(`\nget-mark :${i + 1}\n`));
    });
    // The refs only name the commits inside this import: deleting them leaves no ref behind in the cache.
    for (const [i, ref] of refs.entries()) chunks.push(Buffer.from(`reset ${ref}\nfrom ${'0'.repeat(requests[i]?.parent.length ?? 40)}\n\n`));
    chunks.push(Buffer.from('done\n'));
    const out = await this.git(['fast-import', '--quiet', '--date-format=now', '--done'], { 'fastimport.unpackLimit': '0' }, Buffer.concat(chunks));
    const shas = out.split('\n').filter((line) => line !== '');
    if (shas.length !== requests.length || !shas.every((sha) => OBJECT_ID.test(sha))) {
      throw new UnavailableError(`git fast-import answered '${out.slice(0, 200)}' instead of ${requests.length} commit ids`);
    }
    this.writes += 1;
    return shas;
  }

  /** Every HOUSEKEEPING_EVERY writes, lets git pack loose objects and prune what no ref keeps, as `gc --auto` decides. */
  private async tidy(): Promise<void> {
    if (this.writes < HOUSEKEEPING_EVERY) return;
    this.writes = 0;
    // A cache that cannot be tidied still works; the next round tries again.
    await this.git(['gc', '--auto', '--quiet'], { 'gc.auto': '6700', 'gc.autoDetach': 'false' }).catch(() => undefined);
  }

  /** One git operation at a time per cache: fetches and pushes share refs. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      this.cache = this.options.cacheDir === undefined ? await mkdtemp(join(tmpdir(), 'hoist-git-')) : await claimCacheDir(this.options.cacheDir);
      claimedCaches.add(this.cache);
      // No templates: nothing (hooks included) comes into the cache that Hoist did not put there.
      await this.git(['init', '--quiet', '--bare', '--template=']);
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  /** An error of a git command as a Hoist error: refusals are terminal, the rest may pass. */
  private mapped(error: unknown, action: string): HoistError {
    if (error instanceof HoistError) return error;
    if (!(error instanceof GitFailure)) return new UnavailableError(`git failed while ${action}`, { cause: error });
    // The output is already redacted; an unknown failure may pass, so it is retried.
    const message = `git failed while ${action}: ${(error.stderr || error.stdout).slice(0, 300)}`;
    return REFUSED.test(error.stderr) && !TRANSIENT.test(error.stderr)
      ? new TerminalError(message, { cause: error })
      : new UnavailableError(message, { cause: error });
  }

  /** A command that talks to the remote: the only ones that get the credentials. */
  private remoteGit(args: readonly string[]): Promise<string> {
    return this.git(args, this.remote.config);
  }

  /** The environment of a git command on the cache, with `config` added to CACHE_CONFIG. */
  private envOf(config: Record<string, string>): Record<string, string> {
    const author = this.options.author ?? { name: 'Hoist', email: 'hoist@localhost' };
    return {
      ...filteredEnv(),
      GIT_DIR: this.cache,
      GIT_TERMINAL_PROMPT: '0',
      // Only the cache's own config counts: no system file, no user file, whatever HOME holds.
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
      GIT_LITERAL_PATHSPECS: '1',
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      // As `-c` options would, but in the environment: git's argv stays free of them, and of the credentials among them.
      ...configEnv({ ...CACHE_CONFIG, ...config }),
    };
  }

  private git(args: readonly string[], config: Record<string, string> = {}, input?: string | Buffer): Promise<string> {
    const env = this.envOf(config);
    const secrets = this.remote.secrets;
    return new Promise((resolvePromise, reject) => {
      const child = execFile('git', args, { env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') reject(new UnavailableError('the git executable is not installed'));
          else reject(new GitFailure(args[0] ?? 'git', redactSecrets(stderr.trim(), secrets), redactSecrets(stdout.trim(), secrets)));
          return;
        }
        resolvePromise(stdout);
      });
      // A process that ended before reading its input answers through its exit status above.
      child.stdin?.on('error', () => undefined);
      if (input !== undefined) child.stdin?.end(input);
    });
  }
}

/**
 * The line `git push --porcelain` printed for `ref`: `<flag>\t<from>:<to>\t<summary>`,
 * the flag `!` for a refused ref; undefined when git printed none for it.
 */
function pushedRefLine(stdout: string, ref: string): string | undefined {
  return stdout.split('\n').find((line) => line.split('\t')[1]?.endsWith(`:${ref}`));
}

/** Where a fetch puts the remote's `branch`. */
function trackingRef(branch: string): string {
  return `refs/remotes/origin/${branch}`;
}

/** A path for fast-import's `M` command: C-style quoted (safeRepositoryPath has refused control characters and backslashes). */
function quotedPath(path: string): string {
  return `"${path.replaceAll('"', '\\"')}"`;
}

/** A name or email as a commit's ident line can hold it: git would cut it at `<`, `>` or a newline. */
function identPart(value: string): string {
  return value.replace(/[<>\n\r]/g, '').trim();
}

/** A commit asked for, and the caller waiting for its answer. */
interface WaitingCommit {
  readonly request: CommitRequest;
  readonly resolve: (result: CommitResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A git command that exited non-zero; its output is already free of credentials. */
class GitFailure extends Error {
  constructor(
    command: string,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${command} failed: ${`${stderr} ${stdout}`.trim() || 'no output'}`);
    this.name = 'GitFailure';
  }
  get output(): string {
    return `${this.stderr}\n${this.stdout}`;
  }
}

interface Remote {
  /** The URL git is given: without userinfo for HTTP(S). */
  readonly url: string;
  /** Config of the commands that talk to the remote (credentials as an HTTP header), passed in their environment. */
  readonly config: Record<string, string>;
  /** What must never appear in a message. */
  readonly secrets: readonly string[];
}

/**
 * Splits credentials off an HTTP(S) URL. They go into an `http.extraHeader`
 * passed through git's environment (`GIT_CONFIG_COUNT`), so they are never in
 * a file, in argv, or in git's own messages.
 */
function remoteOf(url: string, token: string | undefined): Remote {
  if (url.startsWith('-')) throw new TerminalError(`GitCliProviderOptions.url: '${redactSecrets(url)}' is not a repository URL`);
  let clean = url;
  let user: string | undefined;
  let password: string | undefined;
  if (/^https?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      // No cause: the parser's error carries the input, credentials included.
      throw new TerminalError(`GitCliProviderOptions.url: '${redactSecrets(url)}' is not a valid URL`);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      user = decodeURIComponent(parsed.username);
      password = decodeURIComponent(parsed.password);
      parsed.username = '';
      parsed.password = '';
    }
    clean = parsed.href;
  }
  const basic = token !== undefined ? `x-access-token:${token}` : user !== undefined ? `${user}:${password ?? ''}` : undefined;
  if (basic === undefined) return { url: clean, config: {}, secrets: [] };
  const encoded = Buffer.from(basic).toString('base64');
  return {
    url: clean,
    config: { 'http.extraHeader': `Authorization: Basic ${encoded}` },
    secrets: [token, password, encoded].filter((s): s is string => s !== undefined && s !== ''),
  };
}

/** Git config entries as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` (git 2.31+): per command, never written anywhere. */
function configEnv(entries: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  const pairs = Object.entries(entries);
  pairs.forEach(([key, value], n) => {
    env[`GIT_CONFIG_KEY_${n}`] = key;
    env[`GIT_CONFIG_VALUE_${n}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(pairs.length);
  return env;
}

/**
 * Takes `dir` as a cache only when git would find nothing in it that Hoist
 * did not put there: a real directory (no symlink) of the current user that
 * is empty, or missing under an existing parent, or already set up by this
 * process. It is made private (0700) before use.
 */
async function claimCacheDir(dir: string): Promise<string> {
  const path = resolve(dir);
  const refuse = (why: string, cause?: unknown) =>
    new TerminalError(`GitCliProviderOptions.cacheDir: '${path}' ${why}`, cause === undefined ? undefined : { cause });
  if (claimedCaches.has(path)) return path;
  try {
    await mkdir(path, { mode: 0o700 });
    return path;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw refuse('cannot be created', error);
  }
  const stat = await lstat(path);
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw refuse('is not a directory');
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw refuse('belongs to another user');
  if ((await readdir(path)).length > 0) throw refuse('is not empty and was not set up by this process; git would trust the config found in it');
  await chmod(path, 0o700);
  return path;
}

/** A commit id as given by this provider; anything else (an option, a revision expression) is refused. */
function objectId(value: string): string {
  if (!OBJECT_ID.test(value)) throw new TerminalError(`'${value.slice(0, 80)}' is not a full commit id`);
  return value;
}

/** The process environment without git variables that would redirect our commands. */
function filteredEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('GIT_')) env[key] = value;
  }
  return env;
}
