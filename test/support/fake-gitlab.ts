import { createServer } from 'node:http';
import { listenLocal } from './listen-local';
import { MemoryGit } from './memory-git';

export interface FakeGitLab {
  readonly url: string;
  readonly token: string;
  readonly git: MemoryGit;
  readonly mergeRequests: Array<{
    iid: number;
    source: string;
    target: string;
    title: string;
    description: string;
    labels: string;
    state: 'opened' | 'merged' | 'closed';
    autoMerge: boolean;
    /** The status of its head pipeline (`running`, `success`, `failed` …); undefined when it has none (`head_pipeline: null`). */
    pipeline?: string;
    /** `true` makes GitLab report conflicts (`has_conflicts`) and refuse to merge with 422. */
    hasConflicts: boolean;
    /** Set once merged: the merge commit and the head it merged. */
    merged?: { commit: string; head: string };
    /** Bodies of the notes left on it, in order. */
    notes: string[];
  }>;
  /** Every accepted `PUT merge_requests/:iid`, in order, with the fields it set. */
  readonly mergeRequestEdits: Array<{ iid: number; title?: string; description?: string; state_event?: string }>;
  readonly commitRequests: Array<Record<string, any>>;
  /** Every request as `METHOD /path` (decoded), before any check. */
  readonly requests: string[];
  /** Answers the next `times` requests (of `method`, when given) with `status` and `{ message }`, as GitLab does in an outage or a refusal. */
  failNext(status: number, message: string, times?: number, method?: string): void;
  /** Runs `action` once, just before the next request whose `METHOD /path` (decoded) starts with `request` is handled (a push racing a merge). */
  beforeNext(request: string, action: () => void): void;
  close(): Promise<void>;
}

/**
 * A local GitLab REST API (v4) for one project, following GitLab's documented
 * behaviour: `PRIVATE-TOKEN` auth (401 otherwise); 404 "Project Not Found"
 * for another project; branches (404 "Branch Not Found"); raw files (404
 * "Commit Not Found" for an unknown `ref`, 404 "File Not Found" for a path
 * the commit does not have, as `assign_file_vars!` in lib/api/files.rb); `POST repository/commits` with
 * actions, where an update whose `last_commit_id` is older than the file's
 * last change answers 400 "You are attempting to update a file that has
 * changed since you started editing it.", and a new branch from `start_sha`
 * that exists already answers 400 "A branch called '…' already exists" unless
 * `force`; merge requests, with 409 "Another open merge request already
 * exists for this source branch" for a second one, `title` and `description`
 * (`null` when empty) in the list, and `PUT merge_requests/:iid` setting the
 * fields it is given (404 "404 Not found" for an unknown iid);
 * `GET repository/compare?from&to` answering the `commits` reachable from
 * `to` and not from `from` (branches or full or abbreviated ids), 404
 * "404 Ref Not Found" for a ref it does not know (`not_found!("Ref")` in
 * lib/api/repositories.rb), 400 when `from` or `to` is missing.
 * A single MR (`GET merge_requests/:iid`, 404 "404 Not found") with `state`,
 * `sha`, `merge_commit_sha`, `head_pipeline` (`null` without a pipeline),
 * `has_conflicts` and `detailed_merge_status`. Merging it (`PUT
 * merge_requests/:iid/merge`, as the merge requests API documents): 405 "405
 * Method Not Allowed" when it is not open, 422 "Branch cannot be merged"
 * when it has conflicts, 409 "SHA does not match HEAD of source branch: …"
 * when `sha` is not its head, else a merge commit (parents target and source
 * head, message `merge_commit_message`) on the target and 200 with the
 * merged MR; with `auto_merge` or `merge_when_pipeline_succeeds` it only
 * schedules the merge (405 while the MR has no pipeline, when started so).
 * Notes (`POST merge_requests/:iid/notes`); `PUT merge_requests/:iid` with
 * `state_event` `close` or `reopen`.
 */
export async function startFakeGitLab(project: string, files: Record<string, string>, pipelineExists = true): Promise<FakeGitLab> {
  const token = 'glpat-testtoken';
  const git = new MemoryGit(files);
  const mergeRequests: FakeGitLab['mergeRequests'] = [];
  const commitRequests: Array<Record<string, any>> = [];
  const mergeRequestEdits: FakeGitLab['mergeRequestEdits'] = [];
  const requests: string[] = [];
  const failures: Array<{ status: number; message: string; method: string | undefined }> = [];
  const hooks: Array<{ request: string; action: () => void }> = [];
  const mergeRequestOf = (mr: FakeGitLab['mergeRequests'][number]) => {
    const sha = mr.merged?.head ?? git.refs.get(mr.source);
    return {
      iid: mr.iid,
      web_url: `https://gitlab.example.com/${project}/-/merge_requests/${mr.iid}`,
      state: mr.state,
      title: mr.title,
      description: mr.description === '' ? null : mr.description,
      source_branch: mr.source,
      target_branch: mr.target,
      sha,
      merge_commit_sha: mr.merged?.commit ?? null,
      merge_when_pipeline_succeeds: mr.autoMerge,
      head_pipeline: mr.pipeline === undefined ? null : { id: mr.iid, sha, ref: mr.source, status: mr.pipeline },
      has_conflicts: mr.hasConflicts,
      detailed_merge_status: mr.state !== 'opened' ? 'not_open' : mr.hasConflicts ? 'conflict' : 'mergeable',
    };
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gitlab');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? {} : (JSON.parse(text) as Record<string, any>);
      const send = (status: number, payload: unknown, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(type === 'application/json' ? JSON.stringify(payload) : String(payload));
      };
      const line = `${req.method} ${decodeURIComponent(url.pathname)}`;
      requests.push(line);
      const hook = hooks.findIndex((h) => line.startsWith(h.request));
      if (hook !== -1) hooks.splice(hook, 1)[0]?.action();
      const failing = failures.findIndex((f) => f.method === undefined || f.method === req.method);
      const [failure] = failing === -1 ? [] : failures.splice(failing, 1);
      if (failure !== undefined) return send(failure.status, { message: failure.message });
      if (req.headers['private-token'] !== token) return send(401, { message: '401 Unauthorized' });
      const prefix = `/api/v4/projects/${encodeURIComponent(project)}`;
      const raw = url.pathname;
      if (!raw.startsWith(prefix)) return send(404, { message: '404 Project Not Found' });
      const path = raw.slice(prefix.length);
      let m: RegExpExecArray | null;

      if (req.method === 'GET' && (m = /^\/repository\/branches\/(.+)$/.exec(path))) {
        const branch = decodeURIComponent(m[1] as string);
        const sha = git.refs.get(branch);
        return sha ? send(200, { name: branch, commit: { id: sha } }) : send(404, { message: '404 Branch Not Found' });
      }
      if (req.method === 'GET' && path === '/repository/compare') {
        const fromRef = url.searchParams.get('from');
        const toRef = url.searchParams.get('to');
        if (fromRef === null || toRef === null) return send(400, { error: fromRef === null ? 'from is missing' : 'to is missing' });
        const from = git.resolve(fromRef);
        const to = git.resolve(toRef);
        if (from === undefined || to === undefined) return send(404, { message: '404 Ref Not Found' });
        const commits = git.commitsBetween(from, to).map((id) => ({ id, short_id: id.slice(0, 8) }));
        return send(200, { commit: commits[0] ?? null, commits, diffs: [], compare_timeout: false, compare_same_ref: from === to });
      }
      if (req.method === 'GET' && (m = /^\/repository\/files\/(.+)\/raw$/.exec(path))) {
        const ref = url.searchParams.get('ref');
        if (ref === null) return send(400, { error: 'ref is missing' });
        const commit = git.commits.get(ref) ?? git.commits.get(git.refs.get(ref) ?? '');
        if (commit === undefined) return send(404, { message: '404 Commit Not Found' });
        const content = commit.tree.get(decodeURIComponent(m[1] as string));
        return content === undefined ? send(404, { message: '404 File Not Found' }) : send(200, content, 'text/plain; charset=utf-8');
      }
      if (req.method === 'POST' && path === '/repository/commits') {
        commitRequests.push(body);
        const branch = String(body.branch);
        const existing = git.refs.get(branch);
        let parent: string;
        if (body.start_sha !== undefined) {
          if (existing !== undefined && body.force !== true)
            return send(400, { message: `A branch called '${branch}' already exists. Switch to that branch in order to make changes` });
          parent = body.start_sha;
        } else {
          if (existing === undefined) return send(400, { message: `You can only create or edit files when you are on a branch` });
          parent = existing;
        }
        for (const action of body.actions as Array<Record<string, string>>) {
          if (action.action === 'update' && action.last_commit_id && git.fileChanged(action.file_path as string, action.last_commit_id, parent)) {
            return send(400, { message: 'You are attempting to update a file that has changed since you started editing it.' });
          }
        }
        const sha = git.commitOnto(
          parent,
          (body.actions as Array<Record<string, string>>).map((a) => ({ path: a.file_path as string, content: a.content as string })),
          body.commit_message,
        );
        git.refs.set(branch, sha);
        return send(201, { id: sha, short_id: sha.slice(0, 8), web_url: `https://gitlab.example.com/${project}/-/commit/${sha}` });
      }
      if (req.method === 'GET' && path === '/merge_requests') {
        const found = mergeRequests.filter(
          (mr) =>
            mr.source === url.searchParams.get('source_branch') &&
            mr.target === url.searchParams.get('target_branch') &&
            mr.state === (url.searchParams.get('state') ?? 'opened'),
        );
        return send(
          200,
          found.map((mr) => ({
            iid: mr.iid,
            web_url: `https://gitlab.example.com/${project}/-/merge_requests/${mr.iid}`,
            state: mr.state,
            title: mr.title,
            description: mr.description === '' ? null : mr.description,
          })),
        );
      }
      if (req.method === 'POST' && path === '/merge_requests') {
        const open = mergeRequests.find((mr) => mr.source === body.source_branch && mr.state === 'opened');
        if (open) return send(409, { message: [`Another open merge request already exists for this source branch: !${open.iid}`] });
        const iid = mergeRequests.length + 1;
        mergeRequests.push({
          iid,
          source: body.source_branch,
          target: body.target_branch,
          title: body.title,
          description: body.description ?? '',
          labels: body.labels ?? '',
          state: 'opened',
          autoMerge: false,
          hasConflicts: false,
          notes: [],
        });
        return send(201, { iid, web_url: `https://gitlab.example.com/${project}/-/merge_requests/${iid}` });
      }
      if (req.method === 'PUT' && (m = /^\/merge_requests\/(\d+)$/.exec(path))) {
        const mr = mergeRequests.find((r) => r.iid === Number(m?.[1]));
        if (mr === undefined) return send(404, { message: '404 Not found' });
        const edit = {
          iid: mr.iid,
          ...(typeof body.title === 'string' ? { title: body.title } : {}),
          ...(typeof body.description === 'string' ? { description: body.description } : {}),
          ...(typeof body.state_event === 'string' ? { state_event: body.state_event } : {}),
        };
        mergeRequestEdits.push(edit);
        if (edit.title !== undefined) mr.title = edit.title;
        if (edit.description !== undefined) mr.description = edit.description;
        // A transition the MR cannot make (closing a closed or merged one) is ignored, not refused.
        if (edit.state_event === 'close' && mr.state === 'opened') mr.state = 'closed';
        if (edit.state_event === 'reopen' && mr.state === 'closed') mr.state = 'opened';
        return send(200, mergeRequestOf(mr));
      }
      if (req.method === 'GET' && (m = /^\/merge_requests\/(\d+)$/.exec(path))) {
        const mr = mergeRequests.find((r) => r.iid === Number(m?.[1]));
        return mr === undefined ? send(404, { message: '404 Not found' }) : send(200, mergeRequestOf(mr));
      }
      if (req.method === 'POST' && (m = /^\/merge_requests\/(\d+)\/notes$/.exec(path))) {
        const mr = mergeRequests.find((r) => r.iid === Number(m?.[1]));
        if (mr === undefined) return send(404, { message: '404 Not found' });
        if (typeof body.body !== 'string' || body.body === '') return send(400, { error: 'body is missing' });
        mr.notes.push(body.body);
        return send(201, { id: mr.notes.length, body: body.body, noteable_iid: mr.iid });
      }
      if (req.method === 'PUT' && (m = /^\/merge_requests\/(\d+)\/merge$/.exec(path))) {
        const mr = mergeRequests.find((r) => r.iid === Number(m?.[1]));
        if (mr === undefined) return send(404, { message: '404 Not found' });
        if (body.auto_merge === true || body.merge_when_pipeline_succeeds === true) {
          if (!pipelineExists) return send(405, { message: '405 Method Not Allowed' });
          mr.autoMerge = true;
          return send(200, mergeRequestOf(mr));
        }
        if (mr.state !== 'opened') return send(405, { message: '405 Method Not Allowed' });
        if (mr.hasConflicts) return send(422, { message: 'Branch cannot be merged' });
        const head = git.refs.get(mr.source) as string;
        if (body.sha !== undefined && body.sha !== head) return send(409, { message: `SHA does not match HEAD of source branch: ${head}` });
        const message = body.merge_commit_message ?? `Merge branch '${mr.source}' into '${mr.target}'`;
        const commit = git.mergeCommit(git.refs.get(mr.target) as string, head, message);
        git.refs.set(mr.target, commit);
        mr.state = 'merged';
        mr.merged = { commit, head };
        return send(200, mergeRequestOf(mr));
      }
      return send(404, { message: '404 Not Found' });
    });
  });
  const local = await listenLocal(server);
  return {
    url: `${local.origin}`,
    token,
    git,
    mergeRequests,
    mergeRequestEdits,
    commitRequests,
    requests,
    failNext: (status, message, times = 1, method = undefined) => {
      for (let i = 0; i < times; i += 1) failures.push({ status, message, method });
    },
    beforeNext: (request, action) => hooks.push({ request, action }),
    close: local.close,
  };
}
