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
  }>;
  /** Every accepted `PATCH pulls/{index}`, in order, with the fields it set. */
  readonly pullEdits: Array<{ number: number; title?: string; body?: string }>;
  readonly changeRequests: Array<Record<string, any>>;
  /** Every request as `METHOD /path` (decoded), before any check. */
  readonly requests: string[];
  /** Answers the next `times` requests (of `method`, when given) with `status` and `{ message }`, as Gitea does in an outage or a refusal. */
  failNext(status: number, message: string, times?: number, method?: string): void;
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
      requests.push(`${req.method} ${decodeURIComponent(url.pathname)}`);
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
        };
        pullEdits.push(edit);
        if (edit.title !== undefined) pr.title = edit.title;
        if (edit.body !== undefined) pr.body = edit.body;
        return send(201, { number: pr.number, html_url: `https://gitea.example.com/${owner}/${repo}/pulls/${pr.number}`, title: pr.title, body: pr.body });
      }
      if (req.method === 'GET' && path === '/labels') return send(200, labels);
      if (req.method === 'POST' && (m = /^\/pulls\/(\d+)\/merge$/.exec(path))) {
        const pr = pulls.find((p) => p.number === Number(m?.[1]));
        if (pr === undefined) return send(404, { message: 'pull request does not exist' });
        if (!autoMergeAllowed) return send(405, { message: 'Please try again later' });
        if (body.merge_when_checks_succeed === true) pr.scheduled = true;
        return res.writeHead(200), res.end();
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
    close: local.close,
  };
}
