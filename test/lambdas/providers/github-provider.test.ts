import { afterEach, describe, expect, it } from 'vitest';
import { GitHubProvider, gitHubRepoOf } from '../../../lambdas/providers/github-provider';
import { ConflictError } from '../../../lambdas/shared/errors';
import { type FakeGitHub, startFakeGitHub } from '../../support/fake-github';

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
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(opened);
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(opened);
    expect(gh.pulls).toHaveLength(1);
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

  it('surfaces bad credentials as an error', async () => {
    gh = await startFakeGitHub('octo-org', 'gitops', {});
    await expect(provider(gh, 'wrong').branchHead('main')).rejects.toMatchObject({ status: 401 });
  });

  it('reads owner and repository from HTTPS and SSH URLs', () => {
    expect(gitHubRepoOf('https://github.com/octo-org/gitops.git')).toEqual({ owner: 'octo-org', repo: 'gitops' });
    expect(gitHubRepoOf('git@github.com:octo-org/gitops.git')).toEqual({ owner: 'octo-org', repo: 'gitops' });
    expect(gitHubRepoOf('https://ghe.example.com/team/deploy')).toEqual({ owner: 'team', repo: 'deploy' });
  });
});
