import { afterEach, describe, expect, it } from 'vitest';
import { GiteaProvider, giteaRepoOf } from '../../../lambdas/providers/gitea-provider';
import { ConflictError } from '../../../lambdas/shared/errors';
import { blobSha, type FakeGitea, startFakeGitea } from '../../support/fake-gitea';

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
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(opened);
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(opened);
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

  it('derives the API base from the clone URL', () => {
    expect(giteaRepoOf('https://gitea.example.com/platform/gitops.git')).toEqual({
      api: 'https://gitea.example.com/api/v1',
      owner: 'platform',
      repo: 'gitops',
    });
    expect(giteaRepoOf('https://example.com/git/platform/gitops')).toEqual({ api: 'https://example.com/git/api/v1', owner: 'platform', repo: 'gitops' });
  });
});
