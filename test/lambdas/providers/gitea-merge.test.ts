import { afterEach, describe, expect, it } from 'vitest';
import { GiteaProvider } from '../../../lambdas/providers/gitea-provider';
import { ConflictError, RetryLaterError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeGitea, startFakeGitea } from '../../support/fake-gitea';
import { rejectionOf } from '../../support/rejection-of';

const BRANCH = 'hoist/prod/api';
const MERGE = 'POST /api/v1/repos/platform/gitops/pulls/1/merge';

describe('GiteaProvider: PR status, merge and close (against the local Gitea fake)', () => {
  let gt: FakeGitea | undefined;
  afterEach(async () => gt?.close());

  /** A fake with one open PR #1 from BRANCH into main; answers the provider, the PR, its head and main's head before it. */
  const withPullRequest = async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'apps/api/values.yaml': 'tag: 1\n' });
    const p = new GiteaProvider({ url: 'https://gitea.example.com/platform/gitops.git', token: gt.token, apiUrl: gt.url });
    const main = (await p.branchHead('main')) as string;
    const { sha: head } = await p.commit({
      branch: BRANCH,
      parent: main,
      startBranch: 'main',
      files: [{ path: 'apps/api/values.yaml', content: 'tag: 2\n' }],
      message: 'bump',
      update: 'create',
    });
    await p.openPullRequest({ branch: BRANCH, base: 'main', title: 'Promote api', body: '', labels: [] });
    const pr = gt.pulls[0] as FakeGitea['pulls'][number];
    return { p, fake: gt, pr, head, main };
  };

  it('reads an open PR, its checks being the latest status of each context on the head ("none" without any)', async () => {
    const { p, fake, head } = await withPullRequest();
    expect(await p.pullRequestStatus(1)).toEqual({
      number: 1,
      url: 'https://gitea.example.com/platform/gitops/pulls/1',
      state: 'open',
      head,
      branch: BRANCH,
      base: 'main',
      checks: 'none',
    });
    const cases: Array<[Parameters<FakeGitea['setStatuses']>[1], string]> = [
      [[{ context: 'ci/build', status: 'success' }], 'passing'],
      [[{ context: 'ci/build', status: 'warning' }], 'passing'],
      [[{ context: 'ci/build', status: 'pending' }], 'pending'],
      // Gitea's combined `state` is "warning" here (it ranks warning worse than pending); the running check still holds the merge.
      [
        [
          { context: 'ci/build', status: 'warning' },
          { context: 'ci/test', status: 'pending' },
        ],
        'pending',
      ],
      [
        [
          { context: 'ci/build', status: 'success' },
          { context: 'ci/test', status: 'error' },
        ],
        'failing',
      ],
      [[{ context: 'ci/build', status: 'failure' }], 'failing'],
    ];
    for (const [statuses, checks] of cases) {
      fake.setStatuses(BRANCH, statuses);
      expect((await p.pullRequestStatus(1))?.checks, JSON.stringify(statuses)).toBe(checks);
    }
  });

  it('merges with a merge commit on main whose parents are main and the head, at the approved head, and answers it again when asked twice', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.setStatuses(BRANCH, [{ context: 'ci/build', status: 'success' }]);
    const merged = await p.mergePullRequest({ number: 1, expectedHead: head, message: 'Promote api to prod\n\nApproved by ann' });
    expect(fake.git.refs.get('main')).toBe(merged.sha);
    expect(fake.git.commits.get(merged.sha)).toMatchObject({ parents: [main, head], message: 'Promote api to prod\n\nApproved by ann' });
    expect(await p.pullRequestStatus(1)).toMatchObject({ state: 'merged', head, mergeCommit: merged.sha });
    expect(await p.mergePullRequest({ number: 1, expectedHead: head, message: 'again' })).toEqual(merged);
    expect(fake.requests.filter((r) => r === MERGE)).toHaveLength(1);
  });

  it('refuses failing checks, waits 60 s for running ones, and merges nothing', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.setStatuses(BRANCH, [{ context: 'ci/build', status: 'failure' }]);
    const failing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(failing).toBeInstanceOf(TerminalError);
    expect(failing.message).toBe(`pull request #1 has failing checks at ${head}: it is not merged`);
    fake.setStatuses(BRANCH, [{ context: 'ci/build', status: 'pending' }]);
    const pending = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(pending).toBeInstanceOf(RetryLaterError);
    expect((pending as RetryLaterError).retryAfterSeconds).toBe(60);
    expect(fake.requests).not.toContain(MERGE);
    expect(fake.git.refs.get('main')).toBe(main);
  });

  it('answers ConflictError when the head moved before the merge, or while merging (Gitea 409 "head out of date")', async () => {
    const { p, fake, head, main } = await withPullRequest();
    fake.git.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 3\n' }, 'person');
    await expect(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' })).rejects.toBeInstanceOf(ConflictError);
    expect(fake.requests).not.toContain(MERGE);
    const approved = (await p.pullRequestStatus(1))?.head as string;
    fake.beforeNext(MERGE, () => fake.git.pushAsPerson(BRANCH, { 'apps/api/values.yaml': 'tag: 4\n' }, 'race'));
    const racing = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: approved, message: 'm' }));
    expect(racing).toBeInstanceOf(ConflictError);
    expect(racing.message).toBe('pull request #1 moved while merging: head out of date');
    expect(fake.git.refs.get('main')).toBe(main);
  });

  it('refuses a PR Gitea will not merge (405), a 409 that is not a race, and a closed PR', async () => {
    const { p, fake, pr, head } = await withPullRequest();
    pr.conflicted = true;
    const conflicting = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(conflicting).toBeInstanceOf(TerminalError);
    expect(conflicting.message).toBe('Gitea will not merge pull request #1 (405): Please try again later');
    pr.conflicted = false;
    fake.beforeNext(MERGE, () => fake.failNext(409, 'PushRejected with remote message: protected branch', 1, 'POST'));
    const rejected = await rejectionOf(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' }));
    expect(rejected).toBeInstanceOf(TerminalError);
    expect(rejected.message).toBe('Gitea will not merge pull request #1 (409): PushRejected with remote message: protected branch');
    pr.state = 'closed';
    await expect(p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' })).rejects.toThrowError(
      'pull request #1 is closed, not open: it is not merged',
    );
    expect(pr.merged).toBeUndefined();
  });

  it('closes a PR after commenting on it, leaves a closed one alone, and refuses a merged one', async () => {
    const { p, fake, pr, head } = await withPullRequest();
    await p.closePullRequest(1, 'Rejected by ann: wrong tag');
    expect(pr).toMatchObject({ state: 'closed', comments: ['Rejected by ann: wrong tag'] });
    expect(fake.requests.filter((r) => r.startsWith('POST') || r.startsWith('PATCH')).slice(-2)).toEqual([
      'POST /api/v1/repos/platform/gitops/issues/1/comments',
      'PATCH /api/v1/repos/platform/gitops/pulls/1',
    ]);
    expect(fake.pullEdits.at(-1)).toEqual({ number: 1, state: 'closed' });
    await p.closePullRequest(1, 'again');
    expect(pr.comments).toEqual(['Rejected by ann: wrong tag']);
    pr.state = 'open';
    await p.mergePullRequest({ number: 1, expectedHead: head, message: 'm' });
    await expect(p.closePullRequest(1, 'too late')).rejects.toThrowError('pull request #1 is merged already: it cannot be closed');
  });

  it('answers undefined for a PR Gitea does not have, but fails for a repository it does not have', async () => {
    const { p, fake } = await withPullRequest();
    expect(await p.pullRequestStatus(42)).toBeUndefined();
    const gone = new GiteaProvider({ url: 'https://gitea.example.com/platform/gone.git', token: fake.token, apiUrl: fake.url });
    const missing = await rejectionOf(gone.pullRequestStatus(1));
    expect(missing).toBeInstanceOf(TerminalError);
    expect(missing.message).toBe("Gitea answered 404 while reading pull request #1 (repository): The target couldn't be found.");
    fake.failNext(500, 'internal error', 1, 'GET');
    await expect(p.pullRequestStatus(1)).rejects.toBeInstanceOf(UnavailableError);
  });
});
