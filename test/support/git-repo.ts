import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
  GIT_AUTHOR_NAME: 'Person',
  GIT_AUTHOR_EMAIL: 'person@example.com',
  GIT_COMMITTER_NAME: 'Person',
  GIT_COMMITTER_EMAIL: 'person@example.com',
};

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

/** A real bare repository seeded with `files` on `main`, plus a clone to act as a person. */
export function createBareRepo(files: Record<string, string>): { bare: string; person: PersonClone } {
  const root = mkdtempSync(join(tmpdir(), 'hoist-git-test-'));
  const bare = join(root, 'gitops.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  const work = join(root, 'seed');
  git(root, 'clone', '--quiet', bare, work);
  git(work, 'checkout', '--quiet', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'seed');
  git(work, 'push', '--quiet', 'origin', 'main');
  return { bare, person: new PersonClone(work) };
}

/** A clone where a person edits and pushes, and where tests read history. */
export class PersonClone {
  constructor(readonly dir: string) {}

  pull(): void {
    git(this.dir, 'pull', '--quiet', '--rebase', 'origin', 'main');
  }

  /** Commits and pushes a change to `main`. */
  change(path: string, content: string, message: string): void {
    this.pull();
    writeFileSync(join(this.dir, path), content);
    git(this.dir, 'commit', '--quiet', '-am', message);
    git(this.dir, 'push', '--quiet', 'origin', 'main');
  }

  show(ref: string, path: string): string {
    git(this.dir, 'fetch', '--quiet', 'origin');
    return git(this.dir, 'show', `origin/${ref}:${path}`);
  }

  log(ref = 'main'): string[] {
    git(this.dir, 'fetch', '--quiet', 'origin');
    return git(this.dir, 'log', '--format=%s', `origin/${ref}`).split('\n');
  }
}
