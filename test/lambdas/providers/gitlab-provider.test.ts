import { afterEach, describe, expect, it } from 'vitest';
import { GitLabProvider, gitLabProjectOf } from '../../../lambdas/providers/gitlab-provider';
import { ConflictError, TerminalError, UnavailableError } from '../../../lambdas/shared/errors';
import { type FakeGitLab, startFakeGitLab } from '../../support/fake-gitlab';
import { rejectionOf } from '../../support/rejection-of';

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
    const found = { ...opened, title: 'bump', body: 'table' };
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toEqual(found);
    expect(await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'again', body: '', labels: [] })).toEqual(found);
    expect(gl.mergeRequests).toHaveLength(1);
  });

  it("updates an open MR's title and description, and finds them as GitLab has them now", async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', {});
    const p = provider(gl);
    await p.openPullRequest({ branch: 'hoist/prod/api', base: 'main', title: 'first', body: '', labels: [] });
    // GitLab answers an empty description as null.
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ title: 'first', body: '' });
    await p.updatePullRequest({ number: 1, title: 'second', body: '| table |' });
    expect(gl.mergeRequestEdits).toEqual([{ iid: 1, title: 'second', description: '| table |' }]);
    expect(gl.requests.at(-1)).toBe('PUT /api/v4/projects/platform/deploy/gitops/merge_requests/1');
    expect(await p.findOpenPullRequest('hoist/prod/api', 'main')).toMatchObject({ number: 1, title: 'second', body: '| table |' });
    const missing = await rejectionOf(p.updatePullRequest({ number: 9, title: 't', body: 'b' }));
    expect(missing).toBeInstanceOf(TerminalError);
    expect(missing.message).toBe('GitLab answered 404 while updating merge request !9: 404 Not found');
    gl.failNext(503, '503 Service Unavailable', 1, 'PUT');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(UnavailableError);
    gl.failNext(403, '403 Forbidden', 1, 'PUT');
    await expect(p.updatePullRequest({ number: 1, title: 't', body: 'b' })).rejects.toBeInstanceOf(TerminalError);
    expect(gl.mergeRequests[0]).toMatchObject({ title: 'second', description: '| table |' });
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

  it('says "missing" only for GitLab\'s 404 "File Not Found"; "Commit Not Found" is a ConflictError', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'a/values.yaml': 'tag: 1\n' });
    const p = provider(gl);
    const head = (await p.branchHead('main')) as string;
    expect(await p.readFile(head, 'a/other.yaml')).toBeUndefined();
    await expect(p.readFile('0123456789abcdef0123456789abcdef01234567', 'a/values.yaml')).rejects.toBeInstanceOf(ConflictError);
    gl.failNext(500, '500 Internal Server Error');
    await expect(p.readFile(head, 'a/values.yaml')).rejects.toBeInstanceOf(UnavailableError);
    gl.failNext(404, '404 Project Not Found');
    await expect(p.readFile(head, 'a/values.yaml')).rejects.toBeInstanceOf(TerminalError);
  });

  it('maps refusals to TerminalError and outages to UnavailableError, with no token in the message', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'v.yaml': 'tag: 1\n' });
    const wrong = await rejectionOf(
      new GitLabProvider({ url: 'https://gitlab.example.com/platform/deploy/gitops.git', token: 'glpat-wrongtoken', apiUrl: gl.url }).branchHead('main'),
    );
    expect(wrong).toBeInstanceOf(TerminalError);
    expect(wrong.message).toBe('GitLab answered 401 while reading the branch main: 401 Unauthorized');
    expect(wrong.message).not.toContain('glpat-');
    const p = provider(gl);
    const head = (await p.branchHead('main')) as string;
    const bump = () => p.commit({ branch: 'main', parent: head, files: [{ path: 'v.yaml', content: 'tag: 2\n' }], message: 'bump', update: 'fast-forward' });
    // gitbeaker itself retries 429 and 502 (ten times, with backoff); the rest reaches the provider at once.
    const answers: Array<[number, string, unknown]> = [
      [403, '403 Forbidden', TerminalError],
      [404, '404 Project Not Found', TerminalError],
      [400, 'commit_message is missing', TerminalError],
      [503, '503 Service Unavailable', UnavailableError],
    ];
    for (const [status, message, Expected] of answers) {
      // Refused where it matters most: the commit itself.
      gl.failNext(status, message, 1, 'POST');
      await expect(bump(), `${status} ${message}`).rejects.toBeInstanceOf(Expected);
    }
    expect(gl.git.messagesOf('main')).toEqual(['seed']);
    const elsewhere = new GitLabProvider({ url: 'https://gitlab.example.com/platform/gone.git', token: gl.token, apiUrl: gl.url });
    await expect(elsewhere.branchHead('main')).rejects.toThrowError('GitLab answered 404 while reading the branch main: 404 Project Not Found');
    const closed = gl.url;
    await gl.close();
    gl = undefined;
    await expect(new GitLabProvider({ url: 'https://gitlab.example.com/g/p.git', token: 't', apiUrl: closed }).branchHead('main')).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('refuses unsafe paths before any request, naming the path', async () => {
    gl = await startFakeGitLab('platform/deploy/gitops', { 'v.yaml': 'tag: 1\n' });
    const p = provider(gl);
    const head = (await p.branchHead('main')) as string;
    const before = gl.requests.length;
    for (const path of ['../../etc/passwd', '/etc/passwd', 'a/./b.yaml', '.git/config', 'apps/.git/hooks/pre-commit', 'a\0b', 'a\\b']) {
      await expect(p.readFile(head, path)).rejects.toBeInstanceOf(TerminalError);
      await expect(p.commit({ branch: 'main', parent: head, files: [{ path, content: 'x' }], message: 'm', update: 'fast-forward' })).rejects.toThrowError(
        /^repository path '.*' is refused/,
      );
    }
    expect(gl.requests.slice(before)).toEqual([]);
  });

  it('reads host and nested project path from HTTPS and SSH URLs', () => {
    expect(gitLabProjectOf('https://gitlab.example.com/platform/deploy/gitops.git')).toEqual({
      host: 'https://gitlab.example.com',
      project: 'platform/deploy/gitops',
    });
    expect(gitLabProjectOf('git@gitlab.com:group/app.git')).toEqual({ host: 'https://gitlab.com', project: 'group/app' });
  });
});
