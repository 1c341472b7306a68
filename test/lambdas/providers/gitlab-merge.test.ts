import { afterEach, describe, expect, it } from 'vitest';
import { GitLabProvider } from '../../../lambdas/providers/gitlab-provider';
import { ConflictError, RetryLaterError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeGitLab, startFakeGitLab } from '../../support/fake-gitlab';
import { rejectionOf } from '../../support/rejection-of';

const PROJECT = 'platform/deploy/gitops';
const BRANCH = 'hoist/prod/api';
const MERGE = `PUT /api/v4/projects/${PROJECT}/merge_requests/1/merge`;

describe('GitLabProvider: MR status, merge and close (against the local GitLab fake)', () => {
  let gl: FakeGitLab | undefined;
  afterEach(async () => gl?.close());

  /** A fake with one open MR !1 from BRANCH into main; answers the provider, the MR, its head and main's head before it. */
  const withMergeRequest = async () => {
    gl = await startFakeGitLab(PROJECT, { 'apps/api/values.yaml': 'tag: 1\n' });
    const p = new GitLabProvider({ url: `https://gitlab.example.com/${PROJECT}.git`, token: gl.token, apiUrl: gl.url });
    const main = (await p.branchHead('main')) as string;
    const { sha: head } = await p.commit({
      branch: BRANCH,
      parent: main,
      files: [{ path: 'apps/api/values.yaml', content: 'tag: 2\n' }],
      message: 'bump',
      update: 'create',
    });
    await p.openPullRequest({ branch: BRANCH, base: 'main', title: 'Promote api', body: '', labels: [] });
    const mr = gl.mergeRequests[0] as FakeGitLab['mergeRequests'][number];
    return { p, fake: gl, mr, head, main };
  };

  it('reads an open MR, its checks being its head pipeline ("none" without one)', async () => {
    const { p, mr, head } = await withMergeRequest();
    expect(await p.pullRequestStatus(1)).toEqual({
      number: 1,
      url: `https://gitlab.example.com/${PROJECT}/-/merge_requests/1`,
      state: 'open',
      head,
      branch: BRANCH,
      base: 'main',
      checks: 'none',
    });
    const cases: Array<[string, string]> = [
      ['success', 'passing'],
      ['running', 'pending'],
      ['created', 'pending'],
      ['manual', 'pending'],
      ['failed', 'failing'],
      ['canceled', 'failing'],
      ['skipped', 'none'],
    ];
    for (const [pipeline, checks] of cases) {
      mr.pipeline = pipeline;
      expect((await p.pullRequestStatus(1))?.checks, pipeline).toBe(checks);
    }
  });

  it('merges with a merge commit on main whose parents are main and the head, passing the approved sha, and answers it again when asked twice', async () => {
    const { p, fake, mr, head, main } = await withMergeRequest();
    mr.pipeline = 'success';
    const merged = await p.mergePullRequest({ number: 1, expectedHead: head, message: 'Promote api to prod\n\nApproved by ann' });
    expect(fake.git.refs.get('main')).toBe(merged.sha);
    expect(fake.git.commits.get(merged.sha)).toMatchObject({ parents: [main, head], message: 'Promote api to prod\n\nApproved by ann' });
    expect(await p.pullRequestStatus(1)).toMatchObject({ state: 'merged', head, mergeCommit: merged.sha });
    expect(await p.mergePullRequest({ number: 1, expectedHead: head, message: 'again' })).toEqual(merged);
    expect(fake.requests.filter((r) => r === MERGE)).toHaveLength(1);
  });

  it('refuses a failed pipeline, waits 60 s for a running one, and merges nothing', async () => {
    const { p, fake, mr, head, main } = await withMergeRequest();
    mr.pipeline = 'failed';
    const failing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(failing).toBeInstanceOf(TerminalError);
    expect(failing.message).toBe(`merge request !1 has failing checks at ${head}: it is not merged`);
    mr.pipeline = 'running';
    const pending = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(pending).toBeInstanceOf(RetryLaterError);
    expect((pending as RetryLaterError).retryAfterSeconds).toBe(60);
    expect(fake.requests).not.toContain(MERGE);
    expect(fake.git.refs.get('main')).toBe(main);
  });

  it('answers ConflictError when the head moved before the merge, or while merging (GitLab 409)', async () => {
    const { p, fake, head, main } = await withMergeRequest();
    fake.git.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 3\n' }, 'person');
    await expect(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' })).rejects.toBeInstanceOf(ConflictError);
    expect(fake.requests).not.toContain(MERGE);
    const approved = (await p.pullRequestStatus(1))?.head as string;
    fake.beforeNext(MERGE, () => fake.git.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 4\n' }, 'race'));
    const racing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: approved, message: 'm' }));
    expect(racing).toBeInstanceOf(ConflictError);
    expect(racing.message).toMatch(/^GitLab answered 409 while merging merge request !1: SHA does not match HEAD of source branch/);
    expect(fake.git.refs.get('main')).toBe(main);
  });

  it("refuses an MR with conflicts, GitLab's own 405 and 422, and a closed MR", async () => {
    const { p, fake, mr, head } = await withMergeRequest();
    mr.hasConflicts = true;
    const conflicting = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(conflicting).toBeInstanceOf(TerminalError);
    expect(conflicting.message).toBe('merge request !1 conflicts with main: GitLab cannot merge it');
    mr.hasConflicts = false;
    for (const [status, message] of [
      [405, '405 Method Not Allowed'],
      [422, 'Branch cannot be merged'],
    ] as const) {
      fake.beforeNext(MERGE, () => fake.failNext(status, message, 1, 'PUT'));
      const refused = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
      expect(refused).toBeInstanceOf(TerminalError);
      expect(refused.message).toBe(`GitLab answered ${status} while merging merge request !1: ${message}`);
    }
    mr.state = 'closed';
    await expect(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' })).rejects.toThrowError(
      'merge request !1 is closed, not open: it is not merged',
    );
    expect(mr.merged).toBeUndefined();
  });

  it('closes an MR after leaving a note, leaves a closed one alone, and refuses a merged one', async () => {
    const { p, fake, mr, head } = await withMergeRequest();
    await p.closePullRequest(1, 'Rejected by ann: wrong tag');
    expect(mr).toMatchObject({ state: 'closed', notes: ['Rejected by ann: wrong tag'] });
    expect(fake.requests.filter((r) => r.startsWith('POST') || r.startsWith('PUT')).slice(-2)).toEqual([
      `POST /api/v4/projects/${PROJECT}/merge_requests/1/notes`,
      `PUT /api/v4/projects/${PROJECT}/merge_requests/1`,
    ]);
    expect(fake.mergeRequestEdits.at(-1)).toEqual({ iid: 1, state_event: 'close' });
    await p.closePullRequest(1, 'again');
    expect(mr.notes).toEqual(['Rejected by ann: wrong tag']);
    mr.state = 'opened';
    await p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' });
    await expect(p.closePullRequest(1, 'too late')).rejects.toThrowError('merge request !1 is merged already: it cannot be closed');
  });

  it('answers undefined for an MR GitLab does not have, but fails for a project it does not have', async () => {
    const { p, fake } = await withMergeRequest();
    expect(await p.pullRequestStatus(42)).toBeUndefined();
    const gone = new GitLabProvider({ url: 'https://gitlab.example.com/platform/gone.git', token: fake.token, apiUrl: fake.url });
    const missing = await rejectionOf(gone.pullRequestStatus(1));
    expect(missing).toBeInstanceOf(TerminalError);
    expect(missing.message).toBe('GitLab answered 404 while reading merge request !1: 404 Project Not Found');
    fake.failNext(503, 'Service Unavailable', 1, 'GET');
    await expect(p.pullRequestStatus(1)).rejects.toBeInstanceOf(UnavailableError);
  });
});
