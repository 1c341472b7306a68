import { afterEach, describe, expect, it } from 'vitest';
import { GitHubProvider } from '../../../lambdas/providers/github-provider';
import { ConflictError, RetryLaterError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeGitHub, startFakeGitHub } from '../../support/fake-github';
import { rejectionOf } from '../../support/rejection-of';

const BRANCH = 'hoist/prod/api';
const MERGE = 'PUT /repos/octo-org/gitops/pulls/1/merge';

describe('GitHubProvider: PR status, merge and close (against the local GitHub fake)', () => {
  let gh: FakeGitHub | undefined;
  afterEach(async () => gh?.close());

  /** A fake with one open PR #1 from BRANCH into main; answers the provider, the PR's head and main's head before it. */
  const withPullRequest = async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'apps/api/values.yaml': 'tag: 1\n', 'README.md': 'gitops\n' });
    const p = new GitHubProvider({ url: 'https://github.com/octo-org/gitops.git', token: gh.token, apiUrl: gh.apiUrl, requestRetries: 0, throttle: false });
    const main = (await p.branchHead('main')) as string;
    const { sha: head } = await p.commit({
      branch: BRANCH,
      parent: main,
      files: [{ path: 'apps/api/values.yaml', content: 'tag: 2\n' }],
      message: 'bump',
      update: 'create',
    });
    await p.openPullRequest({ branch: BRANCH, base: 'main', title: 'Promote api', body: '', labels: [] });
    return { p, fake: gh, head, main };
  };

  it('reads an open PR: head, branch, base and url, and "none" when the head has no checks at all', async () => {
    const { p, head } = await withPullRequest();
    // GitHub's combined state is "pending" for a commit without statuses; total_count 0 is what says there are none.
    expect(await p.pullRequestStatus(1)).toEqual({
      number: 1,
      url: 'https://github.com/octo-org/gitops/pull/1',
      state: 'open',
      head,
      branch: BRANCH,
      base: 'main',
      checks: 'none',
    });
  });

  it('judges the commit statuses and check runs of the head together', async () => {
    const { p, fake } = await withPullRequest();
    const cases: Array<[Parameters<FakeGitHub['setStatuses']>[1], Parameters<FakeGitHub['setCheckRuns']>[1], string]> = [
      [[{ context: 'ci/build', state: 'success' }], [], 'passing'],
      [[{ context: 'ci/build', state: 'pending' }], [], 'pending'],
      [[{ context: 'ci/build', state: 'error' }], [], 'failing'],
      [[], [{ name: 'test', status: 'completed', conclusion: 'success' }], 'passing'],
      [[], [{ name: 'lint', status: 'completed', conclusion: 'skipped' }], 'passing'],
      [[{ context: 'ci/build', state: 'success' }], [{ name: 'test', status: 'in_progress', conclusion: null }], 'pending'],
      [[{ context: 'ci/build', state: 'success' }], [{ name: 'test', status: 'completed', conclusion: 'timed_out' }], 'failing'],
      [[{ context: 'ci/build', state: 'pending' }], [{ name: 'test', status: 'completed', conclusion: 'failure' }], 'failing'],
    ];
    for (const [statuses, runs, expected] of cases) {
      fake.setStatuses(BRANCH, statuses);
      fake.setCheckRuns(BRANCH, runs);
      expect((await p.pullRequestStatus(1))?.checks, JSON.stringify([statuses, runs])).toBe(expected);
    }
  });

  it('merges with a merge commit on main whose parents are main and the head, at the approved head, and answers it again when asked twice', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.setStatuses(BRANCH, [{ context: 'ci/build', state: 'success' }]);
    const merged = await p.mergePullRequest({ number: 1, expectedHead: head, message: 'Promote api to prod\n\nApproved by ann' });
    expect(fake.refs.get('main')).toBe(merged.sha);
    expect(fake.git.commits.get(merged.sha)).toMatchObject({ parents: [main, head], message: 'Promote api to prod\n\nApproved by ann' });
    expect(fake.fileAt('main', 'apps/api/values.yaml')).toBe('tag: 2\n');
    expect(await p.pullRequestStatus(1)).toMatchObject({ state: 'merged', head, mergeCommit: merged.sha });
    expect(await p.mergePullRequest({ number: 1, expectedHead: head, message: 'again' })).toEqual(merged);
    expect(fake.requests.filter((r) => r === MERGE)).toHaveLength(1);
  });

  it('refuses failing checks, waits 60 s for running ones, and merges nothing', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.setCheckRuns(BRANCH, [{ name: 'test', status: 'completed', conclusion: 'failure' }]);
    const failing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(failing).toBeInstanceOf(TerminalError);
    expect(failing.message).toBe(`pull request #1 has failing checks at ${head}: it is not merged`);
    fake.setCheckRuns(BRANCH, [{ name: 'test', status: 'queued', conclusion: null }]);
    const pending = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(pending).toBeInstanceOf(RetryLaterError);
    expect((pending as RetryLaterError).retryAfterSeconds).toBe(60);
    expect(fake.requests).not.toContain(MERGE);
    expect(fake.refs.get('main')).toBe(main);
  });

  it('answers ConflictError when the head moved before the merge, or while merging (GitHub 409)', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 3\n' }, 'person');
    const before = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(before).toBeInstanceOf(ConflictError);
    expect(before.message).toContain(`after ${head} was approved`);
    expect(fake.requests).not.toContain(MERGE);
    const approved = (await p.pullRequestStatus(1))?.head as string;
    fake.beforeNext(MERGE, () => fake.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 4\n' }, 'race'));
    const racing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: approved, message: 'm' }));
    expect(racing).toBeInstanceOf(ConflictError);
    expect(racing.message).toBe('GitHub answered 409 while merging pull request #1: Head branch was modified. Review and try the merge again.');
    expect(fake.refs.get('main')).toBe(main);
  });

  it("refuses a closed PR, one that conflicts with its base, and GitHub's own 405", async () => {
    const { p, fake, head } = await withPullRequest();
    const pr = fake.pulls[0] as FakeGitHub['pulls'][number];
    pr.mergeable = false;
    const conflicting = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(conflicting).toBeInstanceOf(TerminalError);
    expect(conflicting.message).toBe('pull request #1 conflicts with main: GitHub cannot merge it');
    // Still computing: the host decides, and GitHub refuses with 405.
    pr.mergeable = null;
    fake.failNext(405, 'Pull Request is not mergeable', 1, MERGE);
    const refused = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(refused).toBeInstanceOf(TerminalError);
    expect(refused.message).toBe('GitHub answered 405 while merging pull request #1: Pull Request is not mergeable');
    pr.state = 'closed';
    const closed = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(closed).toBeInstanceOf(TerminalError);
    expect(closed.message).toBe('pull request #1 is closed, not open: it is not merged');
    expect(await rejectionOf(p.mergePullRequest({ number: 7, expectedHead: head, message: 'm' }))).toBeInstanceOf(TerminalError);
  });

  it('closes a PR after commenting on it, leaves a closed one alone, and refuses a merged one', async () => {
    const { p, fake, head } = await withPullRequest();
    await p.closePullRequest(1, 'Rejected by ann: wrong tag');
    const pr = fake.pulls[0] as FakeGitHub['pulls'][number];
    expect(pr).toMatchObject({ state: 'closed', comments: ['Rejected by ann: wrong tag'] });
    expect(fake.requests.filter((r) => r.startsWith('POST /repos/octo-org/gitops/issues') || r.startsWith('PATCH'))).toEqual([
      'POST /repos/octo-org/gitops/issues/1/comments',
      'PATCH /repos/octo-org/gitops/pulls/1',
    ]);
    expect(await p.pullRequestStatus(1)).toMatchObject({ state: 'closed', head });
    await p.closePullRequest(1, 'again');
    expect(pr.comments).toEqual(['Rejected by ann: wrong tag']);
    pr.state = 'open';
    await p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' });
    await expect(p.closePullRequest(1, 'too late')).rejects.toThrowError('pull request #1 is merged already: it cannot be closed');
  });

  it('answers undefined for a PR GitHub does not have, but fails for a repository it does not have', async () => {
    const { p, fake } = await withPullRequest();
    expect(await p.pullRequestStatus(42)).toBeUndefined();
    const gone = new GitHubProvider({
      url: 'https://github.com/octo-org/gone.git',
      token: fake.token,
      apiUrl: fake.apiUrl,
      requestRetries: 0,
      throttle: false,
    });
    await expect(gone.pullRequestStatus(1)).rejects.toThrowError('GitHub answered 404 while reading pull request #1 (repository octo-org/gone): Not Found');
    fake.failNext(502, 'Server Error', 1, 'GET /repos/octo-org/gitops/commits/');
    await expect(p.pullRequestStatus(1)).rejects.toBeInstanceOf(UnavailableError);
    const wrong = new GitHubProvider({
      url: 'https://github.com/octo-org/gitops.git',
      token: 'ghp_wrongtoken',
      apiUrl: fake.apiUrl,
      requestRetries: 0,
      throttle: false,
    });
    const refused = await rejectionOf(wrong.closePullRequest(1, 'c'));
    expect(refused.message).toBe('GitHub answered 401 while reading pull request #1: Bad credentials');
  });
});
