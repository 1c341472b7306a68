import { afterEach, describe, expect, it } from 'vitest';
import { GiteaProvider, giteaRepoOf } from '../../../lambdas/providers/gitea-provider';
import { ConflictError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { blobSha, type FakeGitea, startFakeGitea } from '../../support/fake-gitea';
import { rejectionOf } from '../../support/rejection-of';

describe('GiteaProvider (REST against a local Gitea API fake)', () => {
  let gt: FakeGitea | undefined;
  afterEach(async () => gt?.close());
  const provider = (fake: FakeGitea) => new GiteaProvider({ url: 'https://gitea.example.com/platform/gitops.git', token: fake.token, apiUrl: fake.url });

  it('commits several files in one change-files commit, updates carrying the blob sha', async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'a/values.yaml': 'tag: 1\n' });
    const p = provider(gt);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'a/values.yaml')).toBe('tag: 1\n');
    expect(await p.readFile(head, 'missing.yaml')).toBeUndefined();
    const result = await p.commit({
      branch: 'main',
      parent: head,
      files: [
        { path: 'a/values.yaml', content: 'tag: 2\n' },
        { path: 'b/values.yaml', content: 'new\n' },
      ],
      message: 'bump',
      update: 'fast-forward',
    });
    expect(gt.git.refs.get('main')).toBe(result.sha);
    expect(gt.changeRequests[0]?.files).toEqual([
      { operation: 'update', path: 'a/values.yaml', content: Buffer.from('tag: 2\n').toString('base64'), sha: blobSha('tag: 1\n') },
      { operation: 'create', path: 'b/values.yaml', content: Buffer.from('new\n').toString('base64') },
    ]);
  });

  it('answers ConflictError for "sha does not match" and for an existing new branch; resets a stale branch', async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gt);
    const head = (await p.branchHead('main')) as string;
    gt.git.pushAsPerson('main', { 'v.yaml': 'tag: 1\n# edited\n' }, 'person');
    await expect(
      p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const fresh = (await p.branchHead('main')) as string;
    await p.commit({
      branch: 'hoist/prod/api',
      parent: fresh,
      startBranch: 'main',
      files: [{ path: 'v.yaml', content: 'tag: 2\n' }],
      message: 'pr',
      update: 'create',
    });
    await expect(
      p.commit({
        branch: 'hoist/prod/api',
        parent: fresh,
        startBranch: 'main',
        files: [{ path: 'v.yaml', content: 'tag: 3\n' }],
        message: 'pr',
        update: 'create',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await p.commit({
      branch: 'hoist/prod/api',
      parent: fresh,
      startBranch: 'main',
      files: [{ path: 'v.yaml', content: 'tag: 3\n' }],
      message: 'reset',
      update: 'reset',
    });
    expect(gt.git.messagesOf('hoist/prod/api')).toEqual(['reset', 'person', 'seed']);
  });

  it('opens a PR with known labels and reuses the open one', async () => {
    gt = await startFakeGitea('platform', 'gitops', {});
    const p = provider(gt);
    const opened = await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'bump', body: '', labels: ['promotion', 'unknown'] });
    expect(opened).toEqual({ number: 1, url: 'https://gitea.example.com/platform/gitops/pulls/1', branch: 'hoist/prod/api', base: 'main' });
    expect(gt.pulls[0]?.labels).toEqual([7]);
    const found = { ...opened, title: 'bump', body: '' };
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(found);
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(found);
  });

  it("updates an open PR's title and body, and finds them as Gitea has them now", async () => {
    gt = await startFakeGitea('platform', 'gitops', {});
    const p = provider(gt);
    await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'first', body: 'one row', labels: [] });
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ title: 'first', body: 'one row' });
    await p.updatePullRequest({ number: 1, title: 'second', body: '| table |' });
    expect(gt.pullEdits).toEqual([{ number: 1, title: 'second', body: '| table |' }]);
    expect(gt.requests.at(-1)).toBe('PATCH /api/v1/repos/platform/gitops/pulls/1');
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ number: 1, title: 'second', body: '| table |' });
    const missing = await rejectionOf(p.updatePullRequest({ number: 9, title: 't', body: 'b' }));
    expect(missing).toBeInstanceOf(TerminalError);
    expect(missing.message).toBe('Gitea answered 404 while updating pull request #9: pull request does not exist');
    gt.failNext(503, 'Service Unavailable', 1, 'PATCH');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(UnavailableError);
    gt.failNext(403, 'user should have a permission to edit the pull request', 1, 'PATCH');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(TerminalError);
    expect(gt.pulls[0]).toMatchObject({ title: 'second', body: '| table |' });
  });

  it('schedules a merge for when checks pass when asked, and reports a refusal without failing the PR', async () => {
    gt = await startFakeGitea('platform', 'gitops', {});
    const set = await provider(gt).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(set.warnings).toBeUndefined();
    expect(gt.pulls[0]?.scheduled).toBe(true);
    await gt.close();
    gt = await startFakeGitea('platform', 'gitops', {}, false);
    const refused = await provider(gt).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(refused).toMatchObject({ number: 1, warnings: ['auto-merge not enabled: Gitea answered 405: Please try again later'] });
  });

  it('says "missing" only when Gitea knows the commit and it has no such path; an unknown commit is a ConflictError', async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'a/values.yaml': 'tag: 1\n' });
    const p = provider(gt);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'a/other.yaml')).toBeUndefined();
    await expect(p.readFile('0123456789abcdef0123456789abcdef01234567', 'a/values.yaml')).rejects.toBeInstanceOf(ConflictError);
    await expect(p.readFile(head, 'a')).rejects.toThrowError(`a at ${head} is not a file`);
    gt.failNext(500, '');
    await expect(p.readFile(head, 'a/values.yaml')).rejects.toBeInstanceOf(UnavailableError);
    // The contents request is refused as missing, and so is the commit lookup that follows: not "missing".
    gt.failNext(404, 'not found', 2);
    await expect(p.readFile(head, 'a/values.yaml')).rejects.toBeInstanceOf(ConflictError);
  });

  it('maps refusals to TerminalError and outages to UnavailableError, with no token in the message', async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const wrong = await rejectionOf(
      new GiteaProvider({ url: 'https://gitea.example.com/platform/gitops.git', token: 'gitea-wrong-token', apiUrl: gt.url }).branchHead('main'),
    );
    expect(wrong).toBeInstanceOf(TerminalError);
    expect(wrong.message).toBe('Gitea answered 401 while reading the branch main: user does not exist');
    expect(wrong.message).not.toContain('gitea-wrong-token');
    const p = provider(gt);
    const head = (await p.branchHead('main')) as string;
    const bump = () => p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' });
    const answers: Array<[number, string, unknown]> = [
      [403, 'user should have a permission to write to the target branch', TerminalError],
      [404, 'branch does not exist [name: main]', TerminalError],
      [422, 'file name is invalid', TerminalError],
      [429, 'rate limited', UnavailableError],
      [503, 'Service Unavailable', UnavailableError],
    ];
    for (const [status, message, Expected] of answers) {
      gt.failNext(status, message, 1, 'POST');
      await expect(bump(), `${status} ${message}`).rejects.toBeInstanceOf(Expected);
    }
    expect(gt.git.messagesOf('main')).toEqual(['seed']);
    const elsewhere = new GiteaProvider({ url: 'https://gitea.example.com/platform/gone.git', token: gt.token, apiUrl: gt.url });
    await expect(elsewhere.branchHead('main')).rejects.toThrowError(
      "Gitea answered 404 while reading the branch main (repository): The target couldn't be found.",
    );
    const closed = gt.url;
    await gt.close();
    gt = undefined;
    await expect(new GiteaProvider({ url: 'https://gitea.example.com/o/r.git', token: 't', apiUrl: closed }).branchHead('main')).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('refuses unsafe paths before any request, naming the path, and encodes each segment of the others', async () => {
    gt = await startFakeGitea('platform', 'gitops', { 'v.yaml': 'tag: 1\n', 'apps/my app/values #1.yaml': 'tag: 1\n' });
    const p = provider(gt);
    const head = (await p.branchHead('main')) as string;
    const before = gt.requests.length;
    for (const path of ['../../etc/passwd', '/etc/passwd', 'a/./b.yaml', '.git/config', 'apps/.git/hooks/pre-commit', 'a\0b', 'a\\b']) {
      await expect(p.readFile(head, path)).rejects.toBeInstanceOf(TerminalError);
      await expect(
        p.commit({ branch: 'main', parent: head, startBranch: 'main', files: [{ path, content: 'x' }], message: 'm', update: 'fast-forward' }),
      ).rejects.toThrowError(/^repository path '.*' is refused/);
    }
    await expect(p.readFile(head, '../../etc/passwd')).rejects.toThrowError("repository path '../../etc/passwd' is refused: it has a '..' segment");
    expect(gt.requests.slice(before)).toEqual([]);
    expect(await p.readFile(head, 'apps/my app/values #1.yaml')).toBe('tag: 1\n');
    expect(gt.requests.at(-1)).toBe('GET /api/v1/repos/platform/gitops/contents/apps/my app/values #1.yaml');
  });

  it('derives the API base from the clone URL', () => {
    expect(giteaRepoOf('https://gitea.example.com/platform/gitops.git')).toEqual({
      api: 'https://gitea.example.com/api/v1',
      owner: 'platform',
      repo: 'gitops',
    });
    expect(giteaRepoOf('https://example.com/git/platform/gitops')).toEqual({ api: 'https://example.com/git/api/v1', owner: 'platform', repo: 'gitops' });
  });
});
