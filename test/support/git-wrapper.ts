import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Quotes a value for a POSIX shell. */
const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** The real `git`, found before any wrapper is put on PATH. */
export const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/**
 * A `git` wrapper script put first on PATH for the child processes of the
 * code under test. Before the n-th run of a chosen git command (`fetch`,
 * `push` …) it runs a planned step to completion, then execs the real git.
 * That forces an interleaving, such as a person's push landing between
 * Hoist's read and its push, without timing and without touching Hoist's code.
 */
export class GitWrapper {
  readonly dir = mkdtempSync(join(tmpdir(), 'hoist-path-wrapper-'));
  private savedPath: string | undefined;

  constructor() {
    const script = [
      '#!/bin/sh',
      `state=${quote(this.dir)}`,
      'cmd="$1"',
      'printf \'%s\\n\' "$*" >> "$state/argv.log"',
      'n=$(( $(cat "$state/count.$cmd" 2>/dev/null || echo 0) + 1 ))',
      'echo "$n" > "$state/count.$cmd"',
      'if [ -f "$state/before.$cmd.$n" ]; then',
      // The step runs with a clean environment: none of the caller's GIT_DIR, index or credentials.
      `  env -i PATH=${quote('/usr/local/bin:/usr/bin:/bin')} HOME="$state" sh "$state/before.$cmd.$n" >>"$state/steps.log" 2>&1 || exit 97`,
      'fi',
      // With trace() on, git logs each built-in it runs, its own children (fetch's maintenance …) included.
      'if [ -f "$state/trace" ]; then export GIT_TRACE="$state/trace.log"; fi',
      `exec ${quote(realGit)} "$@"`,
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'git'), script);
    chmodSync(join(this.dir, 'git'), 0o755);
  }

  /** Runs `shell` (a POSIX script) before the `n`-th `git <command>`; `git` in it must be `$GIT`. */
  before(command: string, n: number, shell: string): this {
    writeFileSync(join(this.dir, `before.${command}.${n}`), `set -e\nGIT=${quote(realGit)}\n${shell}\n`);
    return this;
  }

  /** From now on, git logs every built-in command it runs, those it starts itself included (see `builtins`). */
  trace(): this {
    writeFileSync(join(this.dir, 'trace'), '');
    return this;
  }

  /** The built-in commands git ran since `trace()`, with their arguments, one a line (`fetch -q …`, `maintenance run --auto`). */
  builtins(): string[] {
    try {
      return [...readFileSync(join(this.dir, 'trace.log'), 'utf8').matchAll(/built-in: git (.*)$/gm)].map((m) => m[1] ?? '');
    } catch {
      return [];
    }
  }

  /** How often `git <command>` ran through the wrapper. */
  count(command: string): number {
    try {
      return Number(readFileSync(join(this.dir, `count.${command}`), 'utf8').trim());
    } catch {
      return 0;
    }
  }

  /** Every command line that went through the wrapper, one a line. */
  argv(): string {
    try {
      return readFileSync(join(this.dir, 'argv.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Puts the wrapper first on PATH (children read PATH when they start). */
  install(): void {
    this.savedPath = process.env.PATH;
    process.env.PATH = `${this.dir}:${process.env.PATH ?? ''}`;
  }

  uninstall(): void {
    if (this.savedPath !== undefined) process.env.PATH = this.savedPath;
    this.savedPath = undefined;
  }
}

/**
 * A step for `GitWrapper.before`: in the person's clone, pull, append `line`
 * to `path`, commit with `message` and push `main`, as a person would.
 */
export function personPush(cloneDir: string, path: string, line: string, message: string): string {
  return [
    'export GIT_AUTHOR_NAME=Person GIT_AUTHOR_EMAIL=person@example.com GIT_COMMITTER_NAME=Person GIT_COMMITTER_EMAIL=person@example.com',
    'export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null',
    `cd ${quote(cloneDir)}`,
    '"$GIT" pull --quiet --rebase origin main',
    `printf '%s\\n' ${quote(line)} >> ${quote(path)}`,
    `"$GIT" commit --quiet -am ${quote(message)}`,
    '"$GIT" push --quiet origin main',
  ].join('\n');
}
