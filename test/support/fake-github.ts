import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { listenLocal } from './listen-local';
import { MemoryGit } from './memory-git';

export interface FakeGitHub {
  readonly apiUrl: string;
  readonly token: string;
  readonly refs: ReadonlyMap<string, string>;
  readonly pulls: Array<{
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    state: 'open' | 'closed';
    labels: string[];
    autoMerge: boolean;
    /** `false` makes GitHub report a conflict with the base (and refuse to merge); `null` is "still computing". */
    mergeable: boolean | null;
    /** Set once merged: the merge commit and the head it merged. */
    merged?: { commit: string; head: string };
    /** Bodies of the comments left on it, in order. */
    comments: string[];
  }>;
  /** Every accepted `PATCH pulls/{pull_number}`, in order, with the fields it set. */
  readonly pullEdits: Array<{ number: number; title?: string; body?: string; state?: string }>;
  readonly requests: string[];
  /** The commits, branches and ancestry behind the API. */
  readonly git: MemoryGit;
  fileAt(branch: string, path: string): string | undefined;
  messagesOf(branch: string): string[];
  /** A person's commit on a branch, moving it outside Hoist. */
  pushAsPerson(branch: string, files: Record<string, string>, message: string): void;
  /** The commit statuses of a commit (a branch names its head), as a CI system would have set them; replaces earlier ones. */
  setStatuses(ref: string, statuses: Array<{ context: string; state: 'success' | 'pending' | 'failure' | 'error' }>): void;
  /** The check runs of a commit (a branch names its head), as GitHub Actions or an app would have reported them. */
  setCheckRuns(ref: string, runs: Array<{ name: string; status: 'queued' | 'in_progress' | 'completed'; conclusion: string | null }>): void;
  /** Runs `action` once, just before the next request whose `METHOD /path` starts with `request` is handled (a push racing a merge). */
  beforeNext(request: string, action: () => void): void;
  /**
   * Answers the next `times` requests (those whose `METHOD /path` starts with
   * `request`, when given) with `status` and `{ message }`, as GitHub does in
   * an outage, a rate limit or a refusal.
   */
  failNext(status: number, message: string, times?: number, request?: string): void;
  close(): Promise<void>;
}

/**
 * A local GitHub REST API for one repository, following GitHub's documented
 * behaviour for the endpoints Hoist uses: Git refs (404 for a missing ref;
 * `PATCH` refuses a non-fast-forward with 422 "Update is not a fast forward"
 * unless `force`; `POST` refuses an existing ref with 422 "Reference already
 * exists"), trees with `base_tree`, commits, raw contents, pulls (422
 * "A pull request already exists" for a second open PR of one head), labels,
 * GraphQL `enablePullRequestAutoMerge` (an `errors` answer when the
 * repository does not allow auto-merge), and 401 "Bad credentials" without the token.
 * Contents: 404 "No commit found for the ref …" for an unknown ref, a plain 404
 * "Not Found" for a missing path (and for a repository it does not have), and
 * a folder as a JSON listing even when raw content is asked for.
 * Compare (`GET compare/{base}...{head}`, branches or full or abbreviated
 * commit ids): `status` ahead, behind, identical or diverged with
 * `ahead_by`, `behind_by` and the commits `base..head`; 404 "Not Found" for a
 * ref the repository does not have, as GitHub's REST docs describe.
 * A single pull (`GET pulls/{pull_number}`, 404 "Not Found") with `state`,
 * `merged`, `merge_commit_sha`, `mergeable` and `head.sha`; merging it
 * (`PUT pulls/{pull_number}/merge`): 405 "Pull Request is not mergeable" when
 * it is closed or conflicts, 409 "Head branch was modified. Review and try
 * the merge again." when `sha` is not its head, 422 for an unknown
 * `merge_method`, else a merge commit (parents base and head, message
 * `commit_title` and `commit_message`) on the base and 200 `{ sha, merged }`.
 * The combined status of a ref (`GET commits/{ref}/status`: `failure` when a
 * status is failure or error, `pending` when one is pending or there are
 * none at all, else `success`, with `total_count`) and its check runs
 * (`GET commits/{ref}/check-runs`); issue comments (`POST
 * issues/{issue_number}/comments`, 404 for an unknown number); `PATCH
 * pulls/{pull_number}` with `state: closed`.
 */
export async function startFakeGitHub(owner: string, repo: string, files: Record<string, string>, allowAutoMerge = true): Promise<FakeGitHub> {
  const token = 'ghp_testtoken';
  const git = new MemoryGit(files);
  const { commits, refs } = git;
  const trees = new Map<string, ReadonlyMap<string, string>>();
  const pulls: FakeGitHub['pulls'] = [];
  const pullEdits: FakeGitHub['pullEdits'] = [];
  const requests: string[] = [];
  const failures: Array<{ status: number; message: string; request: string | undefined }> = [];
  const hooks: Array<{ request: string; action: () => void }> = [];
  const statuses = new Map<string, Parameters<FakeGitHub['setStatuses']>[1]>();
  const checkRuns = new Map<string, Parameters<FakeGitHub['setCheckRuns']>[1]>();
  const hash = (value: string) => createHash('sha1').update(value).digest('hex');

  const pullOf = (pr: FakeGitHub['pulls'][number]) => ({
    number: pr.number,
    html_url: `https://github.com/${owner}/${repo}/pull/${pr.number}`,
    state: pr.state,
    title: pr.title,
    body: pr.body === '' ? null : pr.body,
    merged: pr.merged !== undefined,
    // GitHub answers a test merge commit for an open PR; the fake has none.
    merge_commit_sha: pr.merged?.commit ?? null,
    mergeable: pr.state === 'open' ? pr.mergeable : null,
    head: { ref: pr.head, sha: pr.merged?.head ?? refs.get(pr.head) },
    base: { ref: pr.base, sha: refs.get(pr.base) },
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://github');
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>) : {};
      const send = (status: number, payload: unknown, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(typeof payload === 'string' && type !== 'application/json' ? payload : JSON.stringify(payload));
      };
      const line = `${req.method} ${decodeURIComponent(url.pathname)}`;
      requests.push(line);
      const hook = hooks.findIndex((h) => line.startsWith(h.request));
      if (hook !== -1) hooks.splice(hook, 1)[0]?.action();
      const failing = failures.findIndex((f) => f.request === undefined || line.startsWith(f.request));
      const [failure] = failing === -1 ? [] : failures.splice(failing, 1);
      if (failure !== undefined) return send(failure.status, { message: failure.message });
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      if (req.method === 'POST' && url.pathname === '/graphql') {
        // enablePullRequestAutoMerge: GitHub answers 200 with `errors` when the repository does not allow it.
        const pr = pulls.find((p) => `PR_node${p.number}` === body.variables?.id);
        if (!allowAutoMerge)
          return send(200, {
            data: { enablePullRequestAutoMerge: null },
            errors: [{ type: 'UNPROCESSABLE', message: 'Pull request Auto merge is not allowed for this repository' }],
          });
        if (pr) pr.autoMerge = true;
        return send(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } });
      }
      const prefix = `/repos/${owner}/${repo}`;
      if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found' });
      const path = decodeURIComponent(url.pathname.slice(prefix.length));
      let m: RegExpExecArray | null;

      if (req.method === 'GET' && path === '') return send(200, { full_name: `${owner}/${repo}`, default_branch: 'main' });

      if (req.method === 'GET' && (m = /^\/git\/ref\/heads\/(.+)$/.exec(path))) {
        const sha = refs.get(m[1] as string);
        return sha ? send(200, { ref: `refs/heads/${m[1]}`, object: { sha, type: 'commit' } }) : send(404, { message: 'Not Found' });
      }
      if (req.method === 'GET' && (m = /^\/compare\/([^.]+)\.\.\.([^.]+)$/.exec(path))) {
        const base = git.resolve(m[1] as string);
        const head = git.resolve(m[2] as string);
        if (base === undefined || head === undefined) return send(404, { message: 'Not Found' });
        const aheadBy = git.commitsBetween(base, head);
        const behindBy = git.commitsBetween(head, base).length;
        const status = aheadBy.length === 0 ? (behindBy === 0 ? 'identical' : 'behind') : behindBy === 0 ? 'ahead' : 'diverged';
        return send(200, { status, ahead_by: aheadBy.length, behind_by: behindBy, total_commits: aheadBy.length, commits: aheadBy.map((sha) => ({ sha })) });
      }
      if (req.method === 'GET' && (m = /^\/contents\/(.+)$/.exec(path))) {
        // `ref` is a commit SHA or a branch; without one GitHub reads the default branch.
        const ref = url.searchParams.get('ref') ?? 'main';
        const commit = commits.get(ref) ?? commits.get(refs.get(ref) ?? '');
        if (commit === undefined) return send(404, { message: `No commit found for the ref ${ref}` });
        const content = commit?.tree.get(m[1] as string);
        const folder = [...commit.tree.keys()].filter((p) => p.startsWith(`${m?.[1]}/`));
        if (content === undefined && folder.length > 0)
          return send(
            200,
            folder.map((p) => ({ type: 'file', path: p })),
          );
        if (content === undefined) return send(404, { message: 'Not Found' });
        return send(200, content, 'application/vnd.github.raw; charset=utf-8');
      }
      if (req.method === 'GET' && (m = /^\/git\/commits\/([0-9a-f]+)$/.exec(path))) {
        const commit = commits.get(m[1] as string);
        if (commit === undefined) return send(404, { message: 'Not Found' });
        const treeSha = hash(JSON.stringify([...commit.tree]));
        trees.set(treeSha, commit.tree);
        return send(200, { sha: commit.sha, tree: { sha: treeSha }, parents: commit.parents.map((sha) => ({ sha })), message: commit.message });
      }
      if (req.method === 'POST' && path === '/git/trees') {
        const tree = new Map(trees.get(body.base_tree) ?? []);
        for (const entry of body.tree as Array<{ path: string; content: string }>) tree.set(entry.path, entry.content);
        const sha = hash(JSON.stringify([...tree]));
        trees.set(sha, tree);
        return send(201, { sha });
      }
      if (req.method === 'POST' && path === '/git/commits') {
        const tree = trees.get(body.tree);
        if (tree === undefined) return send(422, { message: 'Tree SHA does not exist' });
        const sha = git.addCommit(tree, body.parents, body.message);
        return send(201, { sha, html_url: `https://github.com/${owner}/${repo}/commit/${sha}` });
      }
      if (req.method === 'PATCH' && (m = /^\/git\/refs\/heads\/(.+)$/.exec(path))) {
        const current = refs.get(m[1] as string);
        if (current === undefined) return send(422, { message: 'Reference does not exist' });
        if (body.force !== true && !git.isAncestor(current, body.sha)) return send(422, { message: 'Update is not a fast forward' });
        refs.set(m[1] as string, body.sha);
        return send(200, { ref: `refs/heads/${m[1]}`, object: { sha: body.sha } });
      }
      if (req.method === 'POST' && path === '/git/refs') {
        const branch = String(body.ref).replace(/^refs\/heads\//, '');
        if (refs.has(branch)) return send(422, { message: 'Reference already exists' });
        refs.set(branch, body.sha);
        return send(201, { ref: body.ref, object: { sha: body.sha } });
      }
      if (req.method === 'GET' && path === '/pulls') {
        const head = url.searchParams.get('head')?.replace(`${owner}:`, '');
        const base = url.searchParams.get('base');
        const state = url.searchParams.get('state') ?? 'open';
        const found = pulls.filter(
          (p) => (head === undefined || p.head === head) && (base === null || p.base === base) && (state === 'all' || p.state === state),
        );
        return send(
          200,
          found.map((p) => ({
            number: p.number,
            html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
            state: p.state,
            title: p.title,
            body: p.body === '' ? null : p.body,
            head: { ref: p.head },
            base: { ref: p.base },
          })),
        );
      }
      if (req.method === 'POST' && path === '/pulls') {
        if (pulls.some((p) => p.head === body.head && p.state === 'open')) {
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${body.head}.` }],
          });
        }
        const number = pulls.length + 1;
        pulls.push({
          number,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body ?? '',
          state: 'open',
          labels: [],
          autoMerge: false,
          mergeable: true,
          comments: [],
        });
        return send(201, { number, node_id: `PR_node${number}`, html_url: `https://github.com/${owner}/${repo}/pull/${number}` });
      }
      if (req.method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'Not Found' });
        return send(200, pullOf(pr));
      }
      if (req.method === 'PUT' && (m = /^\/pulls\/(\d+)\/merge$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'Not Found' });
        if (pr.state !== 'open' || pr.mergeable === false) return send(405, { message: 'Pull Request is not mergeable' });
        const head = refs.get(pr.head) as string;
        if (body.sha !== undefined && body.sha !== head) return send(409, { message: 'Head branch was modified. Review and try the merge again.' });
        if (body.merge_method !== undefined && !['merge', 'squash', 'rebase'].includes(body.merge_method)) {
          return send(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'merge_method', code: 'invalid' }] });
        }
        const title = body.commit_title ?? `Merge pull request #${pr.number} from ${owner}/${pr.head}`;
        const message = body.commit_message === undefined ? title : `${title}\n\n${body.commit_message}`;
        const sha = git.mergeCommit(refs.get(pr.base) as string, head, message);
        refs.set(pr.base, sha);
        pr.state = 'closed';
        pr.merged = { commit: sha, head };
        return send(200, { sha, merged: true, message: 'Pull Request successfully merged' });
      }
      if (req.method === 'GET' && (m = /^\/commits\/([^/]+)\/status$/.exec(path))) {
        const sha = git.resolve(m[1] as string);
        if (sha === undefined) return send(404, { message: 'Not Found' });
        const list = statuses.get(sha) ?? [];
        const state = list.some((s) => s.state === 'failure' || s.state === 'error')
          ? 'failure'
          : list.length === 0 || list.some((s) => s.state === 'pending')
            ? 'pending'
            : 'success';
        return send(200, { state, sha, total_count: list.length, statuses: list });
      }
      if (req.method === 'GET' && (m = /^\/commits\/([^/]+)\/check-runs$/.exec(path))) {
        const sha = git.resolve(m[1] as string);
        if (sha === undefined) return send(404, { message: 'Not Found' });
        const runs = checkRuns.get(sha) ?? [];
        return send(200, { total_count: runs.length, check_runs: runs.map((run, i) => ({ id: i + 1, head_sha: sha, ...run })) });
      }
      if (req.method === 'POST' && (m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'Not Found' });
        pr.comments.push(String(body.body));
        return send(201, { id: pr.comments.length, body: body.body });
      }
      if (req.method === 'PATCH' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'Not Found' });
        const edit = {
          number: pr.number,
          ...(typeof body.title === 'string' ? { title: body.title } : {}),
          ...(typeof body.body === 'string' ? { body: body.body } : {}),
          ...(body.state === 'open' || body.state === 'closed' ? { state: body.state as 'open' | 'closed' } : {}),
        };
        pullEdits.push(edit);
        if (edit.title !== undefined) pr.title = edit.title;
        if (edit.body !== undefined) pr.body = edit.body;
        if (edit.state !== undefined && pr.merged === undefined) pr.state = edit.state;
        return send(200, {
          number: pr.number,
          html_url: `https://github.com/${owner}/${repo}/pull/${pr.number}`,
          state: pr.state,
          title: pr.title,
          body: pr.body === '' ? null : pr.body,
        });
      }
      if (req.method === 'POST' && (m = /^\/issues\/(\d+)\/labels$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        pr?.labels.push(...(body.labels as string[]));
        return send(
          200,
          (pr?.labels ?? []).map((name) => ({ name })),
        );
      }
      return send(404, { message: 'Not Found' });
    });
  });
  const local = await listenLocal(server);
  return {
    apiUrl: `${local.origin}`,
    token,
    refs,
    pulls,
    pullEdits,
    requests,
    git,
    fileAt: (branch, path) => git.fileAt(branch, path),
    messagesOf: (branch) => git.messagesOf(branch),
    pushAsPerson: (branch, changed, message) => git.pushAsPerson(branch, changed, message),
    setStatuses: (ref, list) => statuses.set(git.resolve(ref) as string, list),
    setCheckRuns: (ref, runs) => checkRuns.set(git.resolve(ref) as string, runs),
    beforeNext: (request, action) => hooks.push({ request, action }),
    failNext: (status, message, times = 1, request = undefined) => {
      for (let i = 0; i < times; i += 1) failures.push({ status, message, request });
    },
    close: local.close,
  };
}
