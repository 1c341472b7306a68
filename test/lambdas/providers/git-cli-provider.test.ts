import { execFileSync } from 'node:child_process';
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

describe('GitCliProvider: git processes per promotion', () => {
  let wrapper: GitWrapper;
  beforeEach(() => {
    wrapper = new GitWrapper();
    wrapper.install();
  });
  afterEach(() => wrapper.uninstall());

  it('fetches a branch along with the one asked for last, and answers each fetched head once', async () => {
    const { bare } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    git(bare, 'branch', 'hoist/prod/api', 'main');
    const hoist = provider(bare);
    const main = await hoist.branchHead('main');
    const branch = await hoist.branchHead('hoist/prod/api');
    expect(wrapper.count('fetch')).toBe(2);
    // Both were asked for: the next fetch brings both, and the second head comes from it.
    expect(await hoist.branchHead('main')).toBe(main);
    expect(await hoist.branchHead('hoist/prod/api')).toBe(branch);
    expect(wrapper.count('fetch')).toBe(3);
    // A head is answered from a fetch once: asked again, it is fetched again.
    expect(await hoist.branchHead('hoist/prod/api')).toBe(branch);
    expect(wrapper.count('fetch')).toBe(4);
    // A branch fetched along that is gone is dropped from the fetch, not taken for the one asked.
    git(bare, 'branch', '-D', 'hoist/prod/api');
    expect(await hoist.branchHead('main')).toBe(main);
    expect(await hoist.branchHead('hoist/prod/api')).toBeUndefined();
  });

  it('runs no gc or maintenance of its own cache after a fetch or commit', async () => {
    const { bare } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    // The remote's own gc after a push is the remote's business, not the cache's: off, so that any gc seen is the cache's.
    git(bare, 'config', 'receive.autogc', 'false');
    wrapper.trace();
    const hoist = provider(bare);
    const head = (await hoist.branchHead('main')) as string;
    await hoist.commit({ branch: 'main', parent: head, files: [{ path: 'values.yaml', content: 'tag: 1.0.1\n' }], message: 'bump', update: 'fast-forward' });
    const builtins = wrapper.builtins();
    expect(builtins.filter((b) => /^(fetch|push) /.test(b))).toHaveLength(2);
    expect(builtins.filter((b) => /^(gc|maintenance|repack|prune)\b/.test(b))).toEqual([]);
  });

  it('pushes commits onto two branches made at the same time in one push, and answers each on its own', async () => {
    const { bare, person } = createBareRepo({ 'apps/api/dev/values.yaml': 'tag: 1.0.0\n', 'apps/api/prod/values.yaml': 'tag: 1.0.0\n' });
    git(bare, 'branch', 'hoist/prod/api', 'main');
    const hoist = provider(bare);
    const main = (await hoist.branchHead('main')) as string;
    const branch = (await hoist.branchHead('hoist/prod/api')) as string;
    const bump = (name: string, parent: string, path: string, content: string) =>
      hoist.commit({ branch: name, parent, files: [{ path, content }], message: `bump ${name}`, update: 'fast-forward' });
    const [dev, prod] = await Promise.all([
      bump('main', main, 'apps/api/dev/values.yaml', 'tag: 1.1.0\n'),
      bump('hoist/prod/api', branch, 'apps/api/prod/values.yaml', 'tag: 1.1.0\n'),
    ]);
    expect(wrapper.count('push')).toBe(1);
    expect(dev.sha).toBe(git(bare, 'rev-parse', 'main'));
    expect(prod.sha).toBe(git(bare, 'rev-parse', 'hoist/prod/api'));
    expect(person.log('hoist/prod/api')).toEqual(['bump hoist/prod/api', 'seed']);

    // A person moves main: in the next shared push, main is refused and the other branch moves.
    person.change('apps/api/dev/values.yaml', 'tag: 1.1.0\nreplicas: 2\n', 'scale up');
    const results = await Promise.allSettled([
      bump('main', dev.sha, 'apps/api/dev/values.yaml', 'tag: 1.2.0\n'),
      bump('hoist/prod/api', prod.sha, 'apps/api/prod/values.yaml', 'tag: 1.2.0\n'),
    ]);
    expect(wrapper.count('push')).toBe(2);
    expect(results[0].status === 'rejected' && results[0].reason).toBeInstanceOf(ConflictError);
    expect(results[1].status === 'fulfilled' && results[1].value.sha).toBe(git(bare, 'rev-parse', 'hoist/prod/api'));
    expect(person.log()).toEqual(['scale up', 'bump main', 'seed']);
  });

  it('commits file contents byte for byte: no newline added or taken, CRLF, non-ASCII, paths with spaces and quotes', async () => {
    const { bare } = createBareRepo({ 'values.yaml': 'tag: 1.0.0\n' });
    const hoist = provider(bare);
    const head = (await hoist.branchHead('main')) as string;
    const files = [
      { path: 'values.yaml', content: 'tag: 1.0.1' },
      { path: 'apps/wé b/"quoted" values.yaml', content: 'name: "Zoë ☃"\r\ntag: 2.0.0\r\n\n' },
    ];
    const { sha } = await hoist.commit({ branch: 'main', parent: head, files, message: 'bump\n\nwith a body, no newline at its end', update: 'fast-forward' });
    for (const file of files) {
      expect(await hoist.readFile(sha, file.path)).toBe(file.content);
      expect(execFileSync('git', ['--git-dir', bare, 'cat-file', 'blob', `${sha}:${file.path}`]).toString('utf8')).toBe(file.content);
    }
    expect(git(bare, 'log', '-1', '--format=%B', sha)).toBe('bump\n\nwith a body, no newline at its end');
    expect(git(bare, 'log', '-1', '--format=%an <%ae>', sha)).toBe('Hoist <hoist@localhost>');
  });
});
