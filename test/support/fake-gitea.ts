import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { listenLocal } from './listen-local';
import { MemoryGit } from './memory-git';

export interface FakeGitea {
  readonly url: string;
  readonly token: string;
  readonly git: MemoryGit;
  readonly pulls: Array<{
    number: number;
    head: string;
    base: string;
    title: string;
    body: string;
    labels: number[];
    state: 'open' | 'closed';
    scheduled: boolean;
    /** `true` makes Gitea's conflict check fail: `mergeable: false`, and a merge refused with 405. */
    conflicted: boolean;
    /** Set once merged: the merge commit and the head it merged. */
    merged?: { commit: string; head: string };
    /** Bodies of the comments left on it, in order. */
    comments: string[];
  }>;
  /** Every accepted `PATCH pulls/{index}`, in order, with the fields it set. */
  readonly pullEdits: Array<{ number: number; title?: string; body?: string; state?: string }>;
  readonly changeRequests: Array<Record<string, any>>;
  /** Every request as `METHOD /path` (decoded), before any check. */
  readonly requests: string[];
  /** Answers the next `times` requests (of `method`, when given) with `status` and `{ message }`, as Gitea does in an outage or a refusal. */
  failNext(status: number, message: string, times?: number, method?: string): void;
  /** The commit statuses of a commit (a branch names its head), as a CI system would have set them; replaces earlier ones. */
  setStatuses(ref: string, statuses: Array<{ context: string; status: 'pending' | 'success' | 'error' | 'failure' | 'warning' }>): void;
  /** Runs `action` once, just before the next request whose `METHOD /path` (decoded) starts with `request` is handled (a push racing a merge). */
  beforeNext(request: string, action: () => void): void;
  close(): Promise<void>;
}

/** Git's blob id of a text, as Gitea reports it in `sha`. */
export const blobSha = (content: string): string =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest('hex');

/**
 * A local Gitea API (v1) for one repository, following Gitea's documented
 * behaviour: `Authorization: token …` (401 otherwise); the repository (404
 * for another one); branches (404); single commits (404 for an unknown one);
 * contents with base64 `content` and blob `sha`, a folder as a list, and 404
 * for both a missing path and an unknown ref, told apart only in `errors`
 * (Gitea 1.22's `ctx.NotFound("GetContentsOrList", err)`; later versions
 * answer both with a bare "not found"); `POST contents` changing
 * several files in one commit, answering 422 "sha does not match" when an
 * update's `sha` is not the file's current blob and 422 "branch already
 * exists" for an existing `new_branch`; branch deletion; pulls, with 409
 * "pull request already exists for these targets" for a second open one,
 * `title` and `body` in the list, and `PATCH pulls/{index}` setting the fields
 * it is given (201 with the pull request, as Gitea's API documents; 404 for an
 * unknown index);
 * `POST pulls/{index}/merge` with `merge_when_checks_succeed` (405 "Please try
 * again later" when the PR cannot be scheduled); labels;
 * `GET compare/{base}...{head}` answering `total_commits` and the `commits`
 * reachable from head and not from base (branches or full or abbreviated
 * ids), 404 for a ref it does not know.
 * A single pull (`GET pulls/{index}`, 404) with `state`, `merged`,
 * `merge_commit_sha`, `mergeable` and `head.sha`. Merging it (`POST
 * pulls/{index}/merge` without `merge_when_checks_succeed`, as
 * `MergePullRequest` in routers/api/v1/repo/pull.go answers): 404 when it is
 * closed, 405 "" when it is merged already, 405 "Please try again later"
 * when it conflicts, 409 "head out of date" when `head_commit_id` is not its
 * head, 422 for an unknown `Do`, else a merge commit (parents base and head,
 * message `MergeTitleField` and `MergeMessageField`) on the base and an
 * empty 200. The combined status of a ref (`GET commits/{ref}/status`: the
 * latest status per context, the worst as `state`, and an empty 200 for a
 * commit without statuses, as Gitea 1.1x does); issue comments (`POST
 * issues/{index}/comments`); `PATCH pulls/{index}` with `state: closed`.
 */
export async function startFakeGitea(owner: string, repo: string, files: Record<string, string>, autoMergeAllowed = true): Promise<FakeGitea> {
  const token = 'gitea-test-token';
  const git = new MemoryGit(files);
  const pulls: FakeGitea['pulls'] = [];
  const pullEdits: FakeGitea['pullEdits'] = [];
  const changeRequests: Array<Record<string, any>> = [];
  const labels = [{ id: 7, name: 'promotion' }];
  const requests: string[] = [];
  const failures: Array<{ status: number; message: string; method: string | undefined }> = [];
  const hooks: Array<{ request: string; action: () => void }> = [];
  const statuses = new Map<string, Parameters<FakeGitea['setStatuses']>[1]>();
  /** Gitea's order of commit states, worst first (`commitStatusPriorities` in models/git/commit_status.go). */
  const worstFirst = ['error', 'failure', 'warning', 'pending', 'success'];
  const pullOf = (pr: FakeGitea['pulls'][number]) => ({
    number: pr.number,
    html_url: `https://gitea.example.com/${owner}/${repo}/pulls/${pr.number}`,
    state: pr.state,
    title: pr.title,
    body: pr.body,
    merged: pr.merged !== undefined,
    merge_commit_sha: pr.merged?.commit ?? null,
    mergeable: pr.state === 'open' && !pr.conflicted,
    head: { ref: pr.head, sha: pr.merged?.head ?? git.refs.get(pr.head) },
    base: { ref: pr.base, sha: git.refs.get(pr.base) },
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gitea');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? {} : (JSON.parse(text) as Record<string, any>);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const line = `${req.method} ${decodeURIComponent(url.pathname)}`;
      requests.push(line);
      const hook = hooks.findIndex((h) => line.startsWith(h.request));
      if (hook !== -1) hooks.splice(hook, 1)[0]?.action();
      const failing = failures.findIndex((f) => f.method === undefined || f.method === req.method);
      const [failure] = failing === -1 ? [] : failures.splice(failing, 1);
      if (failure !== undefined) return send(failure.status, { message: failure.message, url: '' });
      if (req.headers.authorization !== `token ${token}`) return send(401, { message: 'user does not exist', url: '' });
      const prefix = `/api/v1/repos/${owner}/${repo}`;
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return send(404, { message: "The target couldn't be found.", errors: [] });
      const path = decodeURIComponent(url.pathname.slice(prefix.length));
      let m: RegExpExecArray | null;
      const commitOf = (ref: string) => git.commits.get(ref) ?? git.commits.get(git.refs.get(ref) ?? '');

      if (req.method === 'GET' && path === '') return send(200, { full_name: `${owner}/${repo}`, default_branch: 'main', empty: false });
      if (req.method === 'GET' && (m = /^\/git\/commits\/(.+)$/.exec(path))) {
        const commit = git.commits.get(m[1] as string);
        return commit
          ? send(200, { sha: commit.sha })
          : send(404, { message: "The target couldn't be found.", errors: [`object does not exist [id: ${m[1]}, rel_path: ]`] });
      }
      if (req.method === 'GET' && (m = /^\/compare\/([^.]+)\.\.\.([^.]+)$/.exec(path))) {
        const base = git.resolve(m[1] as string);
        const head = git.resolve(m[2] as string);
        if (base === undefined || head === undefined) return send(404, { message: "The target couldn't be found.", errors: [] });
        const commits = git.commitsBetween(base, head).map((sha) => ({ sha }));
        return send(200, { total_commits: commits.length, commits });
      }
      if (req.method === 'GET' && (m = /^\/branches\/(.+)$/.exec(path))) {
        const sha = git.refs.get(m[1] as string);
        return sha ? send(200, { name: m[1], commit: { id: sha } }) : send(404, { message: 'branch does not exist' });
      }
      if (req.method === 'DELETE' && (m = /^\/branches\/(.+)$/.exec(path))) {
        return git.refs.delete(m[1] as string) ? (res.writeHead(204), res.end()) : send(404, { message: 'branch does not exist' });
      }
      if (req.method === 'GET' && (m = /^\/contents\/(.+)$/.exec(path))) {
        const ref = url.searchParams.get('ref') ?? 'main';
        const commit = commitOf(ref);
        const notFound = (id: string, relPath: string) =>
          send(404, { message: 'GetContentsOrList', url: '', errors: [`object does not exist [id: ${id}, rel_path: ${relPath}]`] });
        if (commit === undefined) return notFound(ref, '');
        const content = commit.tree.get(m[1] as string);
        const folder = [...commit.tree.keys()].filter((p) => p.startsWith(`${m?.[1]}/`));
        if (content === undefined && folder.length > 0)
          return send(
            200,
            folder.map((p) => ({ type: 'file', path: p })),
          );
        if (content === undefined) return notFound('', m[1] as string);
        return send(200, { type: 'file', path: m[1], sha: blobSha(content), encoding: 'base64', content: Buffer.from(content).toString('base64') });
      }
      if (req.method === 'POST' && path === '/contents') {
        changeRequests.push(body);
        const from = git.refs.get(body.branch);
        if (from === undefined) return send(404, { message: 'branch does not exist' });
        if (body.new_branch !== undefined && git.refs.has(body.new_branch)) return send(422, { message: `branch already exists [name: ${body.new_branch}]` });
        const tree = git.commits.get(from)?.tree;
        for (const file of body.files as Array<Record<string, string>>) {
          const current = tree?.get(file.path as string);
          if (file.operation === 'update' && (current === undefined || blobSha(current) !== file.sha)) {
            return send(422, { message: `sha does not match [given: ${file.sha}, expected: ${current === undefined ? '' : blobSha(current)}]` });
          }
        }
        const sha = git.commitOnto(
          from,
          (body.files as Array<Record<string, string>>).map((f) => ({
            path: f.path as string,
            content: Buffer.from(f.content as string, 'base64').toString('utf8'),
          })),
          body.message,
        );
        git.refs.set(body.new_branch ?? body.branch, sha);
        return send(201, { commit: { sha, html_url: `https://gitea.example.com/${owner}/${repo}/commit/${sha}` } });
      }
      if (req.method === 'GET' && path === '/pulls') {
        const state = url.searchParams.get('state') ?? 'open';
        return send(
          200,
          pulls
            .filter((p) => state === 'all' || p.state === state)
            .map((p) => ({
              number: p.number,
              html_url: `https://gitea.example.com/${owner}/${repo}/pulls/${p.number}`,
              title: p.title,
              body: p.body,
              head: { ref: p.head },
              base: { ref: p.base },
            })),
        );
      }
      if (req.method === 'POST' && path === '/pulls') {
        if (pulls.some((p) => p.head === body.head && p.base === body.base && p.state === 'open')) {
          return send(409, {
            message: `pull request already exists for these targets [id: 1, issue_id: 1, head_repo_id: 1, base_repo_id: 1, head_branch: ${body.head}, base_branch: ${body.base}]`,
          });
        }
        const number = pulls.length + 1;
        pulls.push({
          number,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body ?? '',
          labels: body.labels ?? [],
          state: 'open',
          scheduled: false,
          conflicted: false,
          comments: [],
        });
        return send(201, { number, html_url: `https://gitea.example.com/${owner}/${repo}/pulls/${number}` });
      }
      if (req.method === 'PATCH' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'pull request does not exist' });
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
        return send(201, { number: pr.number, html_url: `https://gitea.example.com/${owner}/${repo}/pulls/${pr.number}`, title: pr.title, body: pr.body });
      }
      if (req.method === 'GET' && path === '/labels') return send(200, labels);
      if (req.method === 'POST' && (m = /^\/pulls\/(\d+)\/merge$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'pull request does not exist' });
        if (body.merge_when_checks_succeed === true) {
          if (!autoMergeAllowed) return send(405, { message: 'Please try again later' });
          pr.scheduled = true;
          return res.writeHead(201), res.end();
        }
        if (pr.merged !== undefined) return send(405, { message: '', url: '' });
        if (pr.state !== 'open') return send(404, { message: "The target couldn't be found.", errors: [] });
        if (pr.conflicted) return send(405, { message: 'Please try again later', url: '' });
        if (!['merge', 'rebase', 'rebase-merge', 'squash', 'fast-forward-only', 'manually-merged'].includes(body.Do)) {
          return send(422, [{ fieldNames: ['Do'], classification: 'InclusionError', message: 'Inclusion' }]);
        }
        const head = git.refs.get(pr.head) as string;
        if (body.head_commit_id && body.head_commit_id !== head) return send(409, { message: 'head out of date', url: '' });
        const title = body.MergeTitleField?.trim() || `Merge pull request '${pr.title}' (#${pr.number}) from ${pr.head} into ${pr.base}`;
        const extra = String(body.MergeMessageField ?? '').trim();
        const commit = git.mergeCommit(git.refs.get(pr.base) as string, head, extra === '' ? title : `${title}\n\n${extra}`);
        git.refs.set(pr.base, commit);
        pr.state = 'closed';
        pr.merged = { commit, head };
        return res.writeHead(200), res.end();
      }
      if (req.method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        return pr === undefined ? send(404, { message: "The target couldn't be found.", errors: [] }) : send(200, pullOf(pr));
      }
      if (req.method === 'GET' && (m = /^\/commits\/([^/]+)\/status$/.exec(path))) {
        const sha = git.resolve(m[1] as string);
        const list = sha === undefined ? [] : (statuses.get(sha) ?? []);
        if (list.length === 0) return res.writeHead(200), res.end();
        const state = worstFirst.find((s) => list.some((entry) => entry.status === s));
        return send(200, { state, sha, total_count: list.length, statuses: list.map((entry, i) => ({ id: i + 1, ...entry })) });
      }
      if (req.method === 'POST' && (m = /^\/issues\/(\d+)\/comments$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: "The target couldn't be found.", errors: [] });
        pr.comments.push(String(body.body));
        return send(201, { id: pr.comments.length, body: body.body });
      }
      return send(404, { message: "The target couldn't be found." });
    });
  });
  const local = await listenLocal(server);
  return {
    url: `${local.origin}/api/v1`,
    token,
    git,
    pulls,
    pullEdits,
    changeRequests,
    requests,
    failNext: (status, message, times = 1, method = undefined) => {
      for (let i = 0; i < times; i += 1) failures.push({ status, message, method });
    },
    setStatuses: (ref, list) => statuses.set(git.resolve(ref) as string, list),
    beforeNext: (request, action) => hooks.push({ request, action }),
    close: local.close,
  };
}
