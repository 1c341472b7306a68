import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHostCommitHistory } from '../../../lambdas/clients/git-host-commit-history';
import type { CommitSource } from '../../../lambdas/core/ports';
import { TerminalError } from '../../../lambdas/shared/errors';
import { type FakeGitea, startFakeGitea } from '../../support/fake-gitea';
import { type FakeGitHub, startFakeGitHub } from '../../support/fake-github';
import { type FakeGitLab, startFakeGitLab } from '../../support/fake-gitlab';
import type { MemoryGit } from '../../support/memory-git';
import { rejectionOf } from '../../support/rejection-of';

/** main: seed ← older ← newer; `side` branches off `older` and is on no branch. */
function historyOn(git: MemoryGit): { older: string; newer: string; side: string } {
  git.pushAsPerson('main', { 'app.txt': 'older' }, 'older');
  const older = git.refs.get('main') as string;
  git.pushAsPerson('main', { 'app.txt': 'newer' }, 'newer');
  const newer = git.refs.get('main') as string;
  return { older, newer, side: git.commitAfter(older, 'side') };
}

const UNKNOWN = 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef';

/** The same questions to each host: the answers must not depend on which host is asked. */
function relatesCommits(host: CommitSource['host'], setup: () => { source: CommitSource; git: MemoryGit; token: string }) {
  it('tells ahead, behind, identical and diverged, from full and abbreviated ids', async () => {
    const { source, git, token } = setup();
    const { older, newer, side } = historyOn(git);
    const history = new GitHostCommitHistory({ token: async () => token });
    expect(await history.compare(source, older, newer)).toBe('ahead');
    expect(await history.compare(source, newer.slice(0, 8), older.slice(0, 7))).toBe('behind');
    expect(await history.compare(source, newer, newer.slice(0, 7))).toBe('identical');
    expect(await history.compare(source, newer, side)).toBe('diverged');
  });

  it('answers undefined for a commit the host does not know', async () => {
    const { source, git, token } = setup();
    const history = new GitHostCommitHistory({ token: async () => token });
    expect(await history.compare(source, UNKNOWN, git.refs.get('main') as string)).toBeUndefined();
  });

  it(`fails for good when ${host} refuses the token, without the token in the message`, async () => {
    const { source, git } = setup();
    const history = new GitHostCommitHistory({ token: async () => 'wrong-token-123' });
    const error = await rejectionOf(history.compare(source, git.refs.get('main') as string, git.refs.get('main') as string));
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as Error).message).toContain('401');
    expect((error as Error).message).not.toContain('wrong-token-123');
  });
}

describe('commit history: GitHub compare', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub('acme', 'app', { 'app.txt': 'seed' });
  });
  afterAll(() => gh.close());
  relatesCommits('github', () => ({ source: { host: 'github', repository: 'acme/app', apiUrl: gh.apiUrl }, git: gh.git, token: gh.token }));
});

describe('commit history: GitLab compare, asked both ways', () => {
  let gl: FakeGitLab;
  beforeAll(async () => {
    gl = await startFakeGitLab('acme/sub/app', { 'app.txt': 'seed' });
  });
  afterAll(() => gl.close());
  relatesCommits('gitlab', () => ({ source: { host: 'gitlab', repository: 'acme/sub/app', apiUrl: gl.url }, git: gl.git, token: gl.token }));
});

describe('commit history: Gitea compare, asked both ways', () => {
  let gt: FakeGitea;
  beforeAll(async () => {
    gt = await startFakeGitea('acme', 'app', { 'app.txt': 'seed' });
  });
  afterAll(() => gt.close());
  relatesCommits('gitea', () => ({ source: { host: 'gitea', repository: 'acme/app', apiUrl: gt.url }, git: gt.git, token: gt.token }));
});
