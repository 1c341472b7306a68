import { afterEach, describe, expect, it } from 'vitest';
import { GitLabProvider, gitLabProjectOf } from '../../../lambdas/providers/gitlab-provider';
import { ConflictError } from '../../../lambdas/shared/errors';
import { type FakeGitLab, startFakeGitLab } from '../../support/fake-gitlab';

describe('GitLabProvider (@gitbeaker/rest against a local GitLab REST fake)', () => {
  let gl: FakeGitLab | undefined;
  afterEach(async () => gl?.close());
  const provider = (fake: FakeGitLab) =>
    new GitLabProvider({ url: 'https://gitlab.example.com/platform/deploy/gitops.git', token: fake.token, apiUrl: fake.url });

  it('commits several files in one commit with one action each, last_commit_id on updates', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'a/values.yaml': 'tag: 1\n' });
    const p = provider(gl);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'a/values.yaml')).toBe('tag: 1\n');
    expect(await p.readFile(head, 'nope.yaml')).toBeUndefined();
    expect(await p.branchHead('nope')).toBeUndefined();
    const result = await p.commit({
      branch: 'main',
      parent: head,
      files: [
        { path: 'a/values.yaml', content: 'tag: 2\n' },
        { path: 'b/values.yaml', content: 'tag: 1\n' },
      ],
      message: 'bump',
      update: 'fast-forward',
    });
    expect(gl.git.refs.get('main')).toBe(result.sha);
    expect(gl.commitRequests[0]?.actions).toEqual([
      { action: 'update', file_path: 'a/values.yaml', content: 'tag: 2\n', last_commit_id: head },
      { action: 'create', file_path: 'b/values.yaml', content: 'tag: 1\n' },
    ]);
    expect(gl.git.messagesOf('main')).toEqual(['bump', 'seed']);
  });

  it('answers ConflictError when the file changed since it was read, or the new branch exists', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gl);
    const head = (await p.branchHead('main')) as string;
    gl.git.pushAsPerson('main', { 'v.yaml': 'tag: 1\nreplicas: 3\n' }, 'person');
    await expect(
      p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await p.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'mr', update: 'create' });
    await expect(
      p.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'v.yaml', content: 'tag: 3\n' }], message: 'mr', update: 'create' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await p.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'v.yaml', content: 'tag: 3\n' }], message: 'reset', update: 'reset' });
    expect(gl.git.fileAt('hoist/prod/api', 'v.yaml')).toBe('tag: 3\n');
  });

  it('opens an MR with labels and reuses the open one', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gl);
    const opened = await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'bump', body: 'table', labels: ['promotion', 'prod'] });
    expect(opened).toEqual({ number: 1, url: 'https://gitlab.example.com/platform/deploy/gitops/-/merge_requests/1', branch: 'hoist/prod/api', base: 'main' });
    expect(gl.mergeRequests[0]).toMatchObject({ labels: 'promotion,prod', description: 'table' });
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(opened);
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(opened);
    expect(gl.mergeRequests).toHaveLength(1);
  });

  it("sets auto-merge when asked, and reports GitLab's 405 (no pipeline yet) without failing the MR", async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', {});
    const set = await provider(gl).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(set.warnings).toBeUndefined();
    expect(gl.mergeRequests[0]?.autoMerge).toBe(true);
    await gl.close();
    gl = await startFakeGitLab('platform/deploy/gitops', {}, false);
    const refused = await provider(gl).openPullRequest({ branch: 'a', base: 'main', title: 't', body: '', labels: [], autoMerge: true });
    expect(refused).toMatchObject({ number: 1, warnings: [expect.stringMatching(/^auto-merge not enabled: .*405/)] });
  });

  it('reads host and nested project path from HTTPS and SSH URLs', () => {
    expect(gitLabProjectOf('https://gitlab.example.com/platform/deploy/gitops.git')).toEqual({
      host: 'https://gitlab.example.com',
      project: 'platform/deploy/gitops',
    });
    expect(gitLabProjectOf('git@gitlab.com:group/app.git')).toEqual({ host: 'https://gitlab.com', project: 'group/app' });
  });
});
