import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitCliProvider } from '../../../lambdas/providers/git-cli-provider';
import { ConflictError } from '../../../lambdas/shared/errors';
import { createBareRepo } from '../../support/git-repo';

const provider = (url: string) => new GitCliProvider({ url, cacheDir: mkdtempSync(join(tmpdir(), 'hoist-cache-')) });

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
});
