import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitCliProvider } from '../../../lambdas/providers/git-cli-provider';
import { ConflictError, TerminalError } from '../../../lambdas/shared/errors';
import { createBareRepo, git } from '../../support/git-repo';
import { GitWrapper, personPush } from '../../support/git-wrapper';
import { listenLocal } from '../../support/listen-local';
import { rejectionOf } from '../../support/rejection-of';

const provider = (url: string) => new GitCliProvider({ url, cacheDir: mkdtempSync(join(tmpdir(), 'hoist-cache-')) });
const isolatedEnv = { ...process.env };

describe('GitCliProvider (against a real bare repository)', () => {
  it('reads a branch head and files, and commits several files in one commit', async () => {
    const { bare, person } = createBareRepo({ 'apps/api/values.yaml': 'tag: 1.0.0\n', 'apps/web/values.yaml': 'tag: 2.0.0\n' });
    const git = provider(bare);
    const head = await git.branchHead('main');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.readFile(head as string, 'apps/api/values.yaml')).toBe('tag: 1.0.0\n');
    expect(await git.readFile(head as string, 'missing.yaml')).toBeUndefined();
    const result = await git.commit({
      branch: 'main',
      parent: head as string,
      files: [
        { path: 'apps/api/values.yaml', content: 'tag: 1.0.1\n' },
        { path: 'apps/web/values.yaml', content: 'tag: 2.0.1\n' },
      ],
      message: 'chore: bump both',
      update: 'fast-forward',
    });
    expect(await git.branchHead('main')).toBe(result.sha);
    expect(person.show('main', 'apps/web/values.yaml')).toBe('tag: 2.0.1');
    expect(person.log()).toEqual(['chore: bump both', 'seed']);
    expect(await git.branchHead('nope')).toBeUndefined();
  });

  it('answers ConflictError when the branch moved since the parent was read', async () => {
    const { bare, person } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const git = provider(bare);
    const head = (await git.branchHead('main')) as string;
    person.change('values.yaml', 'tag: 1.0.0\nreplicas: 2\n', 'scale up');
    await expect(
      git.commit({ branch: 'main', parent: head, files: [{ path: 'values.yaml', content: 'tag: 1.0.1\n' }], message: 'bump', update: 'fast-forward' }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(person.log()).toEqual(['scale up', 'seed']);
  });

  it('creates a branch only when it does not exist, and resets a stale one when asked', async () => {
    const { bare, person } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const git = provider(bare);
    const head = (await git.branchHead('main')) as string;
    await git.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'values.yaml', content: 'tag: 1.1.0\n' }], message: 'first', update: 'create' });
    await expect(
      git.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'values.yaml', content: 'tag: 1.2.0\n' }], message: 'again', update: 'create' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await git.commit({ branch: 'hoist/prod/api', parent: head, files: [{ path: 'values.yaml', content: 'tag: 1.2.0\n' }], message: 'reset', update: 'reset' });
    expect(person.log('hoist/prod/api')).toEqual(['reset', 'seed']);
  });

  it('has no pull requests: finds none, has nothing to update, knows no status, and refuses to merge or close', async () => {
    const { bare, person } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const git = provider(bare);
    expect(git.supportsPullRequests).toBe(false);
    expect(await git.findOpenPullRequest()).toBeUndefined();
    await expect(git.updatePullRequest()).resolves.toBeUndefined();
    expect(await git.pullRequestStatus()).toBeUndefined();
    const merge = await rejectionOf(git.mergePullRequest());
    expect(merge).toBeInstanceOf(TerminalError);
    expect(merge.message).toBe('plain git has no pull requests: there is none to merge');
    const close = await rejectionOf(git.closePullRequest());
    expect(close).toBeInstanceOf(TerminalError);
    expect(close.message).toBe('plain git has no pull requests: there is none to close');
    expect(person.log()).toEqual(['seed']);
  });

  it('says "missing" only for a path absent from a commit it has; an unknown commit is a ConflictError, a folder a TerminalError', async () => {
    const { bare } = createBareRepo({ 'apps/api/values.yaml': 'tag: 1.0.0\n' });
    const git = provider(bare);
    const head = (await git.branchHead('main')) as string;
    expect(await git.readFile(head, 'apps/api/other.yaml')).toBeUndefined();
    await expect(git.readFile('0123456789abcdef0123456789abcdef01234567', 'apps/api/values.yaml')).rejects.toBeInstanceOf(ConflictError);
    await expect(git.readFile(head, 'apps/api')).rejects.toBeInstanceOf(TerminalError);
    await expect(git.readFile('main', 'apps/api/values.yaml')).rejects.toThrowError("'main' is not a full commit id");
  });
});

describe('GitCliProvider: a person pushes while Hoist works (forced interleavings)', () => {
  let wrapper: GitWrapper;
  beforeEach(() => {
    wrapper = new GitWrapper();
    wrapper.install();
  });
  afterEach(() => wrapper.uninstall());

  it('reads the commit its fetch brought when a push lands just before the fetch, never "missing"', async () => {
    const { bare, person } = createBareRepo({ 'apps/api/values.yaml': 'tag: 1.0.0\n' });
    wrapper.before('fetch', 1, personPush(person.dir, 'apps/api/values.yaml', 'replicas: 3', 'scale api'));
    const hoist = provider(bare);
    const head = (await hoist.branchHead('main')) as string;
    expect(wrapper.count('fetch')).toBe(1);
    expect(head).toBe(git(bare, 'rev-parse', 'main'));
    expect(await hoist.readFile(head, 'apps/api/values.yaml')).toBe('tag: 1.0.0\nreplicas: 3\n');
  });

  it("answers ConflictError when a push lands between the read and Hoist's push, then lands on top of it, keeping the person's change", async () => {
    const { bare, person } = createBareRepo({ 'apps/api/values.yaml': 'tag: 1.0.0\n' });
    wrapper.before('push', 1, personPush(person.dir, 'apps/api/values.yaml', 'replicas: 3', 'scale api'));
    const hoist = provider(bare);
    const bump = async () => {
      const head = (await hoist.branchHead('main')) as string;
      const text = (await hoist.readFile(head, 'apps/api/values.yaml')) as string;
      expect(text).toBeDefined();
      return hoist.commit({
        branch: 'main',
        parent: head,
        files: [{ path: 'apps/api/values.yaml', content: text.replace('tag: 1.0.0', 'tag: 1.0.1') }],
        message: 'bump api',
        update: 'fast-forward',
      });
    };
    await expect(bump()).rejects.toBeInstanceOf(ConflictError);
    expect(person.log()).toEqual(['scale api', 'seed']);
    const landed = await bump();
    expect(landed.sha).toBe(git(bare, 'rev-parse', 'main'));
    expect(person.log()).toEqual(['bump api', 'scale api', 'seed']);
    expect(person.show('main', 'apps/api/values.yaml')).toBe('tag: 1.0.1\nreplicas: 3');
    expect(wrapper.count('push')).toBe(2);
  });
});

describe('GitCliProvider: a private cache, credentials in no file', () => {
  let tmp: string;
  let wrapper: GitWrapper;
  beforeEach(() => {
    // os.tmpdir() follows TMPDIR: the predictable paths below are inside this test's own folder.
    tmp = mkdtempSync(join(tmpdir(), 'hoist-tmpdir-'));
    process.env.TMPDIR = tmp;
    wrapper = new GitWrapper();
    wrapper.install();
  });
  afterEach(() => {
    wrapper.uninstall();
    if (isolatedEnv.TMPDIR === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = isolatedEnv.TMPDIR;
  });
  const cacheDirs = () => readdirSync(tmp).filter((name) => /^hoist-git-[A-Za-z0-9]{6}$/.test(name));
  const gitIn = (dir: string, ...args: string[]) => git(tmp, `--git-dir=${dir}`, ...args);

  it('never runs a command planted in the config of a pre-created cache folder', async () => {
    const { bare } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const marker = join(tmp, 'planted-command-ran');
    // The folder an earlier version derived from the URL alone; anyone on the host could create it first.
    const predictable = join(tmp, 'hoist-git', createHash('sha256').update(bare).digest('hex').slice(0, 16));
    mkdirSync(predictable, { recursive: true });
    git(predictable, 'init', '--quiet', '--bare');
    git(predictable, 'config', 'remote.origin.url', bare);
    git(predictable, 'config', 'remote.origin.uploadpack', `touch '${marker}'; git-upload-pack`);

    const head = await new GitCliProvider({ url: bare }).branchHead('main');
    expect(head).toBe(git(bare, 'rev-parse', 'main'));
    await expect(new GitCliProvider({ url: bare, cacheDir: predictable }).branchHead('main')).rejects.toThrowError(
      `GitCliProviderOptions.cacheDir: '${predictable}' is not empty and was not set up by this process`,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps its cache in a new folder only the current user can enter, also when given an empty cacheDir', async () => {
    const { bare } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    await new GitCliProvider({ url: bare }).branchHead('main');
    await new GitCliProvider({ url: bare }).branchHead('main');
    const made = cacheDirs();
    expect(made).toHaveLength(2);
    for (const name of made) expect(statSync(join(tmp, name)).mode & 0o777).toBe(0o700);

    const given = join(tmp, 'given');
    mkdirSync(given, { mode: 0o755 });
    const first = new GitCliProvider({ url: bare, cacheDir: given });
    await first.branchHead('main');
    expect(statSync(given).mode & 0o777).toBe(0o700);
    // Set up by this process: a second provider may share it.
    expect(await new GitCliProvider({ url: bare, cacheDir: given }).branchHead('main')).toBe(await first.branchHead('main'));
  });

  it('sends URL credentials and tokens per command, keeps them out of config, argv and error messages', async () => {
    // Git's smart HTTP: the first request is GET …/info/refs?service=git-upload-pack; a refusal is 401 with a Basic challenge.
    const authorizations: string[] = [];
    const server = createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      res.writeHead(401, { 'www-authenticate': 'Basic realm="gitops"', 'content-type': 'text/plain' });
      res.end('Unauthorized');
    });
    const local = await listenLocal(server);
    try {
      const password = 'pw-s3cret-from-url';
      const token = 'tok-s3cret-value';
      const url = new URL('/o/r.git', local.origin);
      url.username = 'deploy';
      url.password = password;
      const withUserinfo = new GitCliProvider({ url: url.href });
      const failure = await rejectionOf(withUserinfo.branchHead('main'));
      expect(failure).toBeInstanceOf(TerminalError);
      expect(failure.message).toMatch(/^git failed while fetching main: /);
      expect(failure.message).not.toContain(password);
      expect(authorizations[0]).toBe(`Basic ${Buffer.from(`deploy:${password}`).toString('base64')}`);

      const withToken = new GitCliProvider({ url: `${local.origin}/o/r.git`, token });
      const refused = await rejectionOf(withToken.branchHead('main'));
      expect(refused).toBeInstanceOf(TerminalError);
      expect(refused.message).not.toContain(token);
      expect(authorizations.at(-1)).toBe(`Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`);

      for (const dir of cacheDirs()) {
        const config = gitIn(join(tmp, dir), 'config', '--list', '--local');
        expect(config).not.toMatch(/s3cret|remote\.origin|extraheader/i);
      }
      const argv = wrapper.argv();
      expect(argv).toContain(`fetch --quiet --depth=1 --no-tags --end-of-options ${local.origin}/o/r.git +refs/heads/main:refs/remotes/origin/main`);
      expect(argv).not.toMatch(/s3cret|deploy@/);
    } finally {
      await local.close();
    }
  });
});

describe('GitCliProvider: paths it refuses', () => {
  it('refuses absolute, dot, .git, NUL and backslash paths before running git, naming the path', async () => {
    const { bare, person } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const hoist = provider(bare);
    const head = (await hoist.branchHead('main')) as string;
    const wrapper = new GitWrapper();
    wrapper.install();
    try {
      for (const path of ['../../etc/passwd', '/etc/passwd', 'apps/./values.yaml', '.git/config', 'apps/.GIT/hooks/x', 'a\0b', 'apps\\values.yaml', 'a//b']) {
        await expect(hoist.readFile(head, path)).rejects.toBeInstanceOf(TerminalError);
        await expect(
          hoist.commit({ branch: 'main', parent: head, files: [{ path, content: 'x' }], message: 'bad', update: 'fast-forward' }),
        ).rejects.toThrowError(/^repository path '.*' is refused/);
      }
      await expect(hoist.readFile(head, '../../etc/passwd')).rejects.toThrowError("repository path '../../etc/passwd' is refused: it has a '..' segment");
      expect(wrapper.argv()).toBe('');
      expect(person.log()).toEqual(['seed']);
    } finally {
      wrapper.uninstall();
    }
  });
});
