import { afterEach, describe, expect, it } from 'vitest';
import { GitHubProvider, gitHubRepoOf } from '../../../lambdas/providers/github-provider';
import { ConflictError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeGitHub, startFakeGitHub } from '../../support/fake-github';
import { rejectionOf } from '../../support/rejection-of';

describe('GitHubProvider (octokit against a local GitHub REST fake)', () => {
  let gh: FakeGitHub | undefined;
  afterEach(async () => gh?.close());

  const provider = (fake: FakeGitHub, token = fake.token) =>
    new GitHubProvider({ url: 'https://github.com/octo-org/gitops.git', token, apiUrl: fake.apiUrl, requestRetries: 0, throttle: false });

  it('reads refs and raw files, and commits several files in one commit via the Git Data API', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'a/values.yaml': 'tag: 1\n', 'b/values.yaml': 'tag: 2\n' });
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'a/values.yaml')).toBe('tag: 1\n');
    expect(await p.readFile(head, 'missing.yaml')).toBeUndefined();
    expect(await p.branchHead('nope')).toBeUndefined();
    const result = await p.commit({
      branch: 'main',
      parent: head,
      files: [
        { path: 'a/values.yaml', content: 'tag: 3\n' },
        { path: 'b/values.yaml', content: 'tag: 4\n' },
      ],
      message: 'bump both',
      update: 'fast-forward',
    });
    expect(gh.refs.get('main')).toBe(result.sha);
    expect(gh.fileAt('main', 'b/values.yaml')).toBe('tag: 4\n');
    expect(gh.messagesOf('main')).toEqual(['bump both', 'seed']);
    expect(gh.requests.filter((r) => r.startsWith('POST') || r.startsWith('PATCH'))).toEqual([
      'POST /repos/octo-org/gitops/git/trees',
      'POST /repos/octo-org/gitops/git/commits',
      'PATCH /repos/octo-org/gitops/git/refs/heads/main',
    ]);
  });

  it('turns "Update is not a fast forward" and "Reference already exists" into ConflictError', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    gh.pushAsPerson('main', { 'v.yaml': 'tag: 1\nreplicas: 2\n' }, 'person');
    await expect(
      p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await p.commit({ branch: 'hoist/x', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'pr', update: 'create' });
    await expect(
      p.commit({ branch: 'hoist/x', parent: head, files: [{ path: 'v.yaml', content: 'tag: 3\n' }], message: 'pr', update: 'create' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('opens a PR with labels, finds it again, and reuses it when GitHub says one exists', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    await p.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'create' });
    const opened = await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'bump', body: 'b', labels: ['promotion'] });
    expect(opened).toEqual({ number: 1, url: 'https://github.com/octo-org/gitops/pull/1', branch: 'hoist/prod/api', base: 'main' });
    expect(gh.pulls[0]?.labels).toEqual(['promotion']);
    const found = { ...opened, title: 'bump', body: 'b' };
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(found);
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(found);
    expect(gh.pulls).toHaveLength(1);
  });

  it("updates an open PR's title and body, and finds them as GitHub has them now", async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', {});
    const p = provider(gh);
    await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'first', body: '', labels: [] });
    // GitHub answers an empty body as null.
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ title: 'first', body: '' });
    await p.updatePullRequest({ number: 1, title: 'second', body: '| table |' });
    expect(gh.pullEdits).toEqual([{ number: 1, title: 'second', body: '| table |' }]);
    expect(gh.requests.at(-1)).toBe('PATCH /repos/octo-org/gitops/pulls/1');
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ number: 1, title: 'second', body: '| table |' });
    const missing = await rejectionOf(p.updatePullRequest({ number: 9, title: 't', body: 'b' }));
    expect(missing).toBeInstanceOf(TerminalError);
    expect(missing.message).toBe('GitHub answered 404 while updating pull request #9: Not Found');
    gh.failNext(502, 'Server Error');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(UnavailableError);
    gh.failNext(403, 'Resource not accessible by integration');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(TerminalError);
    expect(gh.pulls[0]).toMatchObject({ title: 'second', body: '| table |' });
  });

  it('asks for auto-merge when told, and reports a refusal without failing the PR', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', {});
    const merged = await provider(gh).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(merged.warnings).toBeUndefined();
    expect(gh.pulls[0]?.autoMerge).toBe(true);
    await gh.close();
    gh = await startFakeGitHub('octo-org', 'gitops', {}, false);
    const refused = await provider(gh).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(refused).toMatchObject({ number: 1, warnings: [expect.stringMatching(/^auto-merge not enabled: .*Auto merge is not allowed for this repository/)] });
  });

  it('says "missing" only for GitHub\'s plain 404 of a path at a known commit', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'apps/api/values.yaml': 'tag: 1\n' });
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'apps/api/other.yaml')).toBeUndefined();
    // 404 "No commit found for the ref …": the commit is unknown, not the file.
    await expect(p.readFile('0123456789abcdef0123456789abcdef01234567', 'apps/api/values.yaml')).rejects.toBeInstanceOf(ConflictError);
    await expect(p.readFile(head, 'apps/api')).rejects.toThrowError(`apps/api at ${head} is not a file`);
    for (const [status, Expected] of [
      [500, UnavailableError],
      [403, TerminalError],
    ] as const) {
      gh.failNext(status, status === 500 ? 'Server Error' : 'Resource not accessible by integration');
      await expect(p.readFile(head, 'apps/api/values.yaml')).rejects.toBeInstanceOf(Expected);
    }
  });

  it('maps refusals to TerminalError, outages and rate limits to UnavailableError, with no token in the message', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const wrong = await rejectionOf(provider(gh, 'ghp_wrongtoken').branchHead('main'));
    expect(wrong).toBeInstanceOf(TerminalError);
    expect(wrong.message).toBe('GitHub answered 401 while reading the branch main: Bad credentials');
    expect(wrong.message).not.toContain('ghp_');
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    const bump = () => p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' });
    const answers: Array<[number, string, unknown]> = [
      [403, 'Resource not accessible by integration', TerminalError],
      [404, 'Not Found', TerminalError],
      [422, 'Validation Failed', TerminalError],
      [403, 'API rate limit exceeded for installation ID 1.', UnavailableError],
      [429, 'You have exceeded a secondary rate limit.', UnavailableError],
      [502, 'Server Error', UnavailableError],
    ];
    for (const [status, message, Expected] of answers) {
      gh.failNext(status, message);
      await expect(bump(), `${status} ${message}`).rejects.toBeInstanceOf(Expected);
    }
    expect(gh.messagesOf('main')).toEqual(['seed']);
    // A repository GitHub does not have (or hides): its branch is not just missing.
    const elsewhere = new GitHubProvider({
      url: 'https://github.com/octo-org/gone.git',
      token: gh.token,
      apiUrl: gh.apiUrl,
      requestRetries: 0,
      throttle: false,
    });
    await expect(elsewhere.branchHead('main')).rejects.toThrowError('GitHub answered 404 while reading the branch main (repository octo-org/gone): Not Found');
    const closed = gh.apiUrl;
    await gh.close();
    gh = undefined;
    const unreachable = new GitHubProvider({ url: 'https://github.com/octo-org/gitops.git', token: 't', apiUrl: closed, requestRetries: 0, throttle: false });
    await expect(unreachable.branchHead('main')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('refuses unsafe paths before any request, naming the path', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gh);
    const head = (await p.branchHead('main')) as string;
    const before = gh.requests.length;
    for (const path of ['../../etc/passwd', '/etc/passwd', 'a/./b.yaml', '.git/config', 'apps/.git/hooks/pre-commit', 'a\0b', 'a\\b']) {
      await expect(p.readFile(head, path)).rejects.toBeInstanceOf(TerminalError);
      await expect(p.commit({ branch: 'main', parent: head, files: [{ path, content: 'x' }], message: 'm', update: 'fast-forward' })).rejects.toThrowError(
        /^repository path '.*' is refused/,
      );
    }
    expect(gh.requests.slice(before)).toEqual([]);
  });

  it('reads owner and repository from HTTPS and SSH URLs', () => {
    expect(gitHubRepoOf('https://github.com/octo-org/gitops.git')).toEqual({ owner: 'octo-org', repo: 'gitops' });
    expect(gitHubRepoOf('git@github.com:octo-org/gitops.git')).toEqual({ owner: 'octo-org', repo: 'gitops' });
    expect(gitHubRepoOf('https://ghe.example.com/team/deploy')).toEqual({ owner: 'team', repo: 'deploy' });
  });
});
